/**
 * The openers are where every pool and embedded database is configured, for the service
 * and for the tests alike: what they promise (bounded statements, named sessions, surviving
 * connections the server drops, closing PGlite) is checked on a real server here.
 */
import { type Kysely, sql } from 'kysely';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../testing/create-test-database.js';
import type { AuditLogDatabase } from '../../postgres/audit-log-database.js';
import { openPgliteAuditLogDatabase } from '../../postgres/open-pglite-audit-log-database.js';
import { openPostgresAuditLogDatabase } from '../../postgres/open-postgres-audit-log-database.js';

describe('openPostgresAuditLogDatabase', () => {
  let database: TestDatabase;
  let admin: pg.Client;
  const opened: Kysely<AuditLogDatabase>[] = [];

  function open(
    options: Omit<Parameters<typeof openPostgresAuditLogDatabase>[0], 'connectionString'>,
  ) {
    const db = openPostgresAuditLogDatabase({ connectionString: database.url, ...options });
    opened.push(db);
    return db;
  }

  async function settingsOf(db: Kysely<AuditLogDatabase>) {
    const { rows } = await sql<{ application_name: string; statement_timeout: string }>`
      select current_setting('application_name') as application_name,
             current_setting('statement_timeout') as statement_timeout`.execute(db);
    return rows[0];
  }

  /** Ends the server sessions of one application name, as a restart or failover would. */
  async function terminateSessions(applicationName: string): Promise<number> {
    const { rows } = await admin.query(
      `select pg_terminate_backend(pid) as ended from pg_stat_activity
        where application_name = $1 and datname = current_database()`,
      [applicationName],
    );
    return rows.length;
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((db) => db.destroy()));
  });
  afterAll(async () => {
    await admin?.end();
    await database?.drop();
  });

  it('bounds each statement on the server and in the client when given a statement timeout', async () => {
    const db = open({ statementTimeoutMs: 200, applicationName: 'opener-test-timeout' });
    expect(await settingsOf(db)).toEqual({
      application_name: 'opener-test-timeout',
      statement_timeout: '200ms',
    });
    const started = performance.now();
    await expect(sql`select pg_sleep(5)`.execute(db)).rejects.toThrow(/timeout/i);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('lets the server give up on a statement before the client stops waiting, so the failure is certain', async () => {
    const db = open({ statementTimeoutMs: 300, applicationName: 'opener-test-server-first' });
    await settingsOf(db); // connected, so that connecting does not eat into the bound
    const error = await sql`select pg_sleep(5)`.execute(db).catch((e: unknown) => e);
    // The server's cancel (57014) rather than the client's read timeout, which would leave
    // unknown whether a write had committed.
    expect(error).toMatchObject({ code: '57014' });
  });

  it('leaves statements unbounded without one, as migrations need', async () => {
    const db = open({ applicationName: 'opener-test-unbounded' });
    expect(await settingsOf(db)).toEqual({
      application_name: 'opener-test-unbounded',
      statement_timeout: '0',
    });
  });

  it('reports an idle connection the server dropped and connects afresh', async () => {
    const idleErrors: Error[] = [];
    const db = open({
      applicationName: 'opener-test-idle',
      onIdleError: (error) => idleErrors.push(error),
    });
    await sql`select 1`.execute(db);
    expect(await terminateSessions('opener-test-idle')).toBe(1);
    await expect.poll(() => idleErrors.length).toBe(1);
    expect(idleErrors[0]?.message).toMatch(/terminating connection/);
    await expect(sql`select 1 as one`.execute(db)).resolves.toMatchObject({ rows: [{ one: 1 }] });
  });

  it('reports a connection that died while lent, instead of crashing the process, and recovers', async () => {
    const connectionErrors: Error[] = [];
    const db = open({
      applicationName: 'opener-test-lent',
      maxConnections: 1,
      onConnectionError: (error) => connectionErrors.push(error),
    });
    // The handler is attached at once: the rejection can arrive while the test is still
    // awaiting the termination below, and an unhandled one would fail the whole run.
    const sleeping = sql`select pg_sleep(10)`.execute(db).then(
      () => 'completed',
      (error: Error) => error.message,
    );
    await expect
      .poll(async () => {
        const { rows } = await admin.query(
          `select 1 from pg_stat_activity where application_name = 'opener-test-lent' and state = 'active'`,
        );
        return rows.length;
      })
      .toBe(1);
    await terminateSessions('opener-test-lent');
    expect(await sleeping).toMatch(/terminating connection/);
    // pg returns the dead connection to the pool: the next query on it fails and emits the
    // error on the client (which would crash the process without the listener), then the
    // pool discards it and opens a fresh one.
    const outcomes: string[] = [];
    for (let attempt = 0; attempt < 2; attempt += 1) {
      outcomes.push(
        await sql`select 1`.execute(db).then(
          () => 'ok',
          (error: Error) => error.message,
        ),
      );
    }
    expect(outcomes.at(-1)).toBe('ok');
    // Each failed attempt was also reported to the listener (which may additionally have
    // heard of the dead connection while it sat idle in the pool).
    const reported = connectionErrors.map((error) => error.message);
    for (const failure of outcomes.filter((outcome) => outcome !== 'ok')) {
      expect(reported).toContain(failure);
    }
  });
});

describe('openPgliteAuditLogDatabase', () => {
  it('closes PGlite on close even when no query has run', async () => {
    const opened = await openPgliteAuditLogDatabase('memory://');
    await opened.close();
    expect(opened.pglite.closed).toBe(true);
    // Starting PGlite compiles its WebAssembly: tens of seconds on a loaded machine.
  }, 120_000);
});
