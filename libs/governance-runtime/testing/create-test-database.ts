/**
 * A fresh, uniquely named PostgreSQL database for one test (or one test file), on the
 * server named by `POLICY_GATEWAY_TEST_DATABASE_URL`, or, when that is unset, on an
 * embedded server this process starts by itself.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { sharedEmbeddedTestServer } from './embedded-test-server.js';

export const TEST_DATABASE_URL_VARIABLE = 'POLICY_GATEWAY_TEST_DATABASE_URL';

export interface TestDatabase {
  /** URL of the new, empty database. */
  readonly url: string;
  /** Drops the database, closing any connections still open to it. */
  drop(): Promise<void>;
}

/**
 * @example
 * const database = await createTestDatabase();
 * const db = openPostgresAuditLogDatabase({ connectionString: database.url });
 * // … after the tests: await db.destroy(); await database.drop();
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const serverUrl =
    process.env[TEST_DATABASE_URL_VARIABLE] || (await sharedEmbeddedTestServer()).url;
  const name = `governance_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  await onServer(serverUrl, `create database "${name}"`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  let dropped = false;
  return {
    url: url.toString(),
    async drop() {
      if (dropped) return;
      dropped = true;
      await onServer(serverUrl, `drop database if exists "${name}" with (force)`);
    },
  };
}

async function onServer(serverUrl: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
