export { makeAccessLogRecord } from './access-log-record-fixtures.js';
export type { AccessLogRepositoryHarness } from './access-log-repository-harness.js';
export {
  databaseAccessLogHarness,
  memoryAccessLogHarness,
  pgliteAccessLogHarness,
  postgresServerAccessLogHarness,
} from './access-log-repository-harnesses.js';
export { makeEntry } from './audit-log-entry-fixtures.js';
export type { AuditLogEntryRepositoryHarness } from './audit-log-entry-repository-harness.js';
export {
  databaseRepositoryHarness,
  decoratedRepositoryHarness,
  memoryRepositoryHarness,
  pgliteRepositoryHarness,
  postgresServerRepositoryHarness,
} from './audit-log-entry-repository-harnesses.js';
export {
  allEntries,
  type ChainSummary,
  chainsOf,
  checkChain,
} from './chain-checks.js';
export {
  createTestDatabase,
  TEST_DATABASE_URL_VARIABLE,
  type TestDatabase,
} from './create-test-database.js';
export { describeAccessLogRepositoryContract } from './describe-access-log-repository-contract.js';
export { describeAuditLogEntryRepositoryContract } from './describe-audit-log-entry-repository-contract.js';
export {
  type EmbeddedTestServer,
  sharedEmbeddedTestServer,
  startEmbeddedTestServer,
  stopSharedEmbeddedTestServer,
} from './embedded-test-server.js';
export { migrateAuditLogToLatest, openTestPglite, type TestPglite } from './open-test-pglite.js';
export {
  insertCheckpoint,
  newSigningKeyPair,
  SignedChainFixture,
  type SigningKeyPair,
} from './signed-chain-fixture.js';
export {
  type OpenedTestDatabase,
  type TestAuditDatabase,
  testAuditDatabases,
} from './test-audit-databases.js';
