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
  await onServer(serverUrl, (client) => client.query(`create database "${name}"`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  let dropped = false;
  return {
    url: url.toString(),
    async drop() {
      if (dropped) return;
      dropped = true;
      await onServer(serverUrl, async (client) => {
        await sessionsClosed(client, name);
        await client.query(`drop database if exists "${name}" with (force)`);
      });
    },
  };
}

/** How long `drop` waits for the sessions on its database to close before it ends them. */
const SESSIONS_CLOSE_WITHIN_MS = 1_000;

/**
 * Waits until no session is connected to database `name`, for at most
 * SESSIONS_CLOSE_WITHIN_MS. A pg Pool's `end()` resolves once it has asked its idle
 * connections to close, not once they have: a drop `with (force)` right after it ends those
 * still closing with 57P01, which their pool emits as an `error` event, and a pool with no
 * listener for it throws that from the socket's callback, an uncaught exception in whatever
 * test runs next. Sessions a test left open are still ended by the drop.
 */
async function sessionsClosed(client: pg.Client, name: string): Promise<void> {
  const deadline = Date.now() + SESSIONS_CLOSE_WITHIN_MS;
  for (;;) {
    const { rows } = await client.query<{ sessions: number }>(
      'select count(*)::int as sessions from pg_stat_activity where datname = $1',
      [name],
    );
    if (rows[0]?.sessions === 0 || Date.now() >= deadline) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Runs `work` on a connection of its own to the server, closed afterwards. */
async function onServer(
  serverUrl: string,
  work: (client: pg.Client) => Promise<unknown>,
): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  client.on('error', () => undefined);
  await client.connect();
  try {
    await work(client);
  } finally {
    await client.end();
  }
}
