/**
 * How the contract suite gets repositories of one implementation of the port: an adapter,
 * or an adapter behind decorators. Harnesses for the library's adapters are in
 * `audit-log-entry-repository-harnesses.ts`.
 */
import type { AuditLogEntryRepository } from '../src/audit-log-entry-repository.js';

export interface AuditLogEntryRepositoryHarness {
  /** Names the suite: `AuditLogEntryRepository contract: <name>`. */
  readonly name: string;
  /** What the repositories' `durable` must say. */
  readonly durable: boolean;
  /**
   * Whether the repositories assign each entry's chain link themselves (a hash chain on the
   * write path): entries are then compared without it, and the cases that write links of
   * their own are left out.
   */
  readonly chains?: boolean;
  /** Once before the suite's tests, e.g. to create a database. */
  setUp?(): Promise<void>;
  /** An empty repository for one test; the suite closes it after the test. */
  open(): Promise<AuditLogEntryRepository>;
  /** Once after the suite's tests. */
  tearDown?(): Promise<void>;
  /**
   * Makes the storage behind the repository last opened fail, with its own error, every
   * write that includes an entry of `userId`, until the next `open()`. Storage that has
   * nothing to fail half-way (memory) leaves it out, and the suite's cases about a
   * failing storage are not registered for it.
   */
  failWritesOf?(userId: string): Promise<void>;
}
