/**
 * What the PostgreSQL adapter promises beyond the shared contract, on a real server:
 * an append that resolves is committed (other connections see it), and one that cannot
 * be committed rejects, so the gateway can withhold the decision; and the schema the
 * migrations create there.
 */
import { createServer, type Server } from 'node:net';
import type { Kysely } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEntry } from '../../../testing/audit-log-entry-fixtures.js';
import { createTestDatabase, type TestDatabase } from '../../../testing/create-test-database.js';
import { migrateAuditLogToLatest } from '../../../testing/open-test-pglite.js';
import type { AuditLogDatabase } from '../../postgres/audit-log-database.js';
import { openPostgresAuditLogDatabase } from '../../postgres/open-postgres-audit-log-database.js';
import { PostgresAuditLogEntryRepository } from '../../postgres/postgres-audit-log-entry-repository.js';
import { describeAuditLogSchema } from './describe-audit-log-schema.js';

describe('PostgresAuditLogEntryRepository on a PostgreSQL server', () => {
  let database: TestDatabase;
  let db: Kysely<AuditLogDatabase>;

  beforeAll(async () => {
    database = await createTestDatabase();
    db = openPostgresAuditLogDatabase({ connectionString: database.url, maxConnections: 2 });
    await migrateAuditLogToLatest(db);
  });
  afterAll(async () => {
    await db?.destroy();
    await database?.drop();
  });

  it('has committed an entry by the time append resolves: another connection sees it', async () => {
    const entry = makeEntry();
    await new PostgresAuditLogEntryRepository(db).append(entry);
    const other = new pg.Client({ connectionString: database.url });
    await other.connect();
    try {
      const { rows } = await other.query('select user_id from audit_log_entries where id = $1', [
        entry.id,
      ]);
      expect(rows).toEqual([{ user_id: entry.userId }]);
    } finally {
      await other.end();
    }
  });

  it('leaves the database open on close unless told it owns it', async () => {
    await new PostgresAuditLogEntryRepository(db).close();
    const entry = makeEntry();
    await new PostgresAuditLogEntryRepository(db).append(entry);
    expect(await new PostgresAuditLogEntryRepository(db).findById(entry.id)).toBeDefined();
  });

  it('destroys the database on close when it owns it', async () => {
    const owned = openPostgresAuditLogDatabase({ connectionString: database.url });
    const repository = new PostgresAuditLogEntryRepository(owned, { destroyOnClose: true });
    await repository.append(makeEntry());
    await repository.close();
    await expect(repository.append(makeEntry())).rejects.toThrow();
  });

  describeAuditLogSchema('a PostgreSQL server', () => db);
});

describe('PostgresAuditLogEntryRepository without a reachable server', () => {
  let silent: Server;
  let port: number;

  beforeAll(async () => {
    // Accepts connections and never answers, like a server that hangs.
    silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    port = (silent.address() as { port: number }).port;
  });
  afterAll(async () => {
    silent.close();
  });

  it('rejects an append when nothing listens on the port', async () => {
    const db = openPostgresAuditLogDatabase({
      connectionString: 'postgres://postgres@127.0.0.1:1/audit',
    });
    await expect(new PostgresAuditLogEntryRepository(db).append(makeEntry())).rejects.toThrow(
      /ECONNREFUSED/,
    );
    await db.destroy();
  });

  it('rejects an append, rather than waiting forever, when the server does not answer', async () => {
    const db = openPostgresAuditLogDatabase({
      connectionString: `postgres://postgres@127.0.0.1:${port}/audit`,
      connectionTimeoutMs: 300,
    });
    await expect(new PostgresAuditLogEntryRepository(db).append(makeEntry())).rejects.toThrow(
      /timeout/i,
    );
    await db.destroy();
  });
});
