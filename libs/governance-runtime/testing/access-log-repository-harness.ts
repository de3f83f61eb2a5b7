/**
 * How the access-log contract suite gets repositories of one implementation of the port.
 * Harnesses for the library's adapters are in `access-log-repository-harnesses.ts`.
 */
import type { AccessLogRepository } from '../src/access-log-repository.js';

export interface AccessLogRepositoryHarness {
  /** Names the suite: `AccessLogRepository contract: <name>`. */
  readonly name: string;
  /** What the repositories' `durable` must say. */
  readonly durable: boolean;
  /** Once before the suite's tests, e.g. to create a database. */
  setUp?(): Promise<void>;
  /** An empty repository for one test; the suite closes it after the test. */
  open(): Promise<AccessLogRepository>;
  /** Once after the suite's tests. */
  tearDown?(): Promise<void>;
  /**
   * Makes the storage behind the repository last opened refuse, with its own error, every
   * record of `principalId`, until the next `open()`. Storage that cannot fail (memory)
   * leaves it out, and the suite's failing-storage cases are not registered for it.
   */
  failWritesOf?(principalId: string): Promise<void>;
}
