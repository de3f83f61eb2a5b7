export {
  createTestDatabase,
  TEST_DATABASE_URL_VARIABLE,
  type TestDatabase,
} from './create-test-database.js';
export {
  type EmbeddedTestServer,
  sharedEmbeddedTestServer,
  startEmbeddedTestServer,
  stopSharedEmbeddedTestServer,
} from './embedded-test-server.js';
export { migrateAuditLogToLatest, openTestPglite, type TestPglite } from './open-test-pglite.js';
