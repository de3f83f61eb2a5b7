/**
 * A Vitest `globalSetup` that gives a whole test run one PostgreSQL server: when
 * `POLICY_GATEWAY_TEST_DATABASE_URL` is unset it starts the embedded server once, in
 * Vitest's main process, and sets the variable for the workers (and their children);
 * the teardown stops it. `createTestDatabase` then makes each database on that server.
 */
import { TEST_DATABASE_URL_VARIABLE } from './create-test-database.js';
import { startEmbeddedTestServer } from './embedded-test-server.js';

export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  if (process.env[TEST_DATABASE_URL_VARIABLE]) return undefined;
  const server = await startEmbeddedTestServer();
  process.env[TEST_DATABASE_URL_VARIABLE] = server.url;
  return async () => {
    delete process.env[TEST_DATABASE_URL_VARIABLE];
    await server.stop();
  };
}
