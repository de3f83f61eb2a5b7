/**
 * The contract of `AccessLogRepository` on every adapter: memory, PGlite in a temporary
 * directory, and a real PostgreSQL server. The suites run one after the other, each setting
 * up its database in its own beforeAll (PGlite's initialisation holds the event loop).
 */
import {
  memoryAccessLogHarness,
  pgliteAccessLogHarness,
  postgresServerAccessLogHarness,
} from '../../../testing/access-log-repository-harnesses.js';
import { describeAccessLogRepositoryContract } from '../../../testing/describe-access-log-repository-contract.js';

describeAccessLogRepositoryContract(memoryAccessLogHarness());
describeAccessLogRepositoryContract(pgliteAccessLogHarness());
describeAccessLogRepositoryContract(postgresServerAccessLogHarness());
