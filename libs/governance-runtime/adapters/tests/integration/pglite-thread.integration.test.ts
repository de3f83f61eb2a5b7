/**
 * PGlite on a thread of its own (`PgliteThread`, what `serve` opens): database errors come
 * back with the fields the write path reads (SQLSTATE, constraint, severity); a transaction commits or rolls back whole and holds
 * the thread while open; and an append that resolved survives a SIGKILL of the process.
 */
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuplicateAuditLogEntryError } from '../../../src/duplicate-audit-log-entry-error.js';
import { makeEntry } from '../../../testing/audit-log-entry-fixtures.js';
import { migrateAuditLogToLatest } from '../../../testing/open-test-pglite.js';
import { createOwnedTempDir } from '../../../testing/owned-temp-dir.js';
import type { AuditLogDatabase } from '../../postgres/audit-log-database.js';
import {
  openThreadedPgliteAuditLogDatabase,
  type ThreadedPgliteAuditLogDatabase,
} from '../../postgres/open-pglite-audit-log-database.js';
import { PgliteThread } from '../../postgres/pglite-thread.js';
import { PostgresAuditLogEntryRepository } from '../../postgres/postgres-audit-log-entry-repository.js';
import { appendInChildThenKill } from './fixtures/append-in-child-then-kill.js';

describe('PgliteThread', () => {
  let dataDir: string;
  let database: ThreadedPgliteAuditLogDatabase;
  let db: Kysely<AuditLogDatabase>;

  beforeAll(async () => {
    dataDir = `${createOwnedTempDir('governance-runtime-test-pglite-thread-')}/data`;
    database = await openThreadedPgliteAuditLogDatabase(dataDir);
    db = database.db;
    await migrateAuditLogToLatest(db);
  });
  afterAll(async () => {
    await database?.close();
    rmSync(dirname(dataDir), { recursive: true, force: true });
  });

  it('reports a duplicate id with its SQLSTATE and constraint, as in this thread', async () => {
    const repository = new PostgresAuditLogEntryRepository(db);
    const entry = makeEntry();
    await repository.append(entry);
    const error = await repository.append(entry).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DuplicateAuditLogEntryError);
    const cause = (error as Error).cause as Record<string, unknown>;
    expect(cause).toMatchObject({ code: '23505', severity: 'ERROR' });
    expect(typeof cause.constraint).toBe('string');
  });

  it('commits a transaction whole, and rolls back one whose callback fails', async () => {
    await sql`create table thread_tx (n int primary key)`.execute(db);
    await db.transaction().execute(async (trx) => {
      await sql`insert into thread_tx values (1)`.execute(trx);
      await sql`insert into thread_tx values (2)`.execute(trx);
    });
    const failed = db.transaction().execute(async (trx) => {
      await sql`insert into thread_tx values (3)`.execute(trx);
      await sql`insert into thread_tx values (1)`.execute(trx);
    });
    await expect(failed).rejects.toMatchObject({ code: '23505' });
    const { rows } = await sql<{ n: number }>`select n from thread_tx order by n`.execute(db);
    expect(rows.map((row) => row.n)).toStrictEqual([1, 2]);
  });

  it('runs a statement asked during a transaction only once the transaction ended', async () => {
    const thread = await PgliteThread.open('memory://');
    try {
      await thread.query('create table t (n int)');
      let ended = false;
      const transaction = thread.transaction(async (tx) => {
        await tx.query('insert into t values (1)');
        await new Promise((resolve) => setTimeout(resolve, 50));
        ended = true;
      });
      const seen = await thread.query<{ n: number }>('select count(*)::int as n from t', [], {
        rowMode: 'object',
      });
      expect(ended).toBe(true);
      expect(seen.rows[0]?.n).toBe(1);
      await transaction;
    } finally {
      await thread.close();
    }
  });

  it('answers the statements asked before close, and refuses those asked after', async () => {
    const thread = await PgliteThread.open('memory://');
    const before = thread.query<{ n: number }>('select 1 as n', [], { rowMode: 'object' });
    const closing = thread.close();
    await expect(before).resolves.toMatchObject({ rows: [{ n: 1 }] });
    await closing;
    expect(thread.closed).toBe(true);
    await expect(thread.query('select 1')).rejects.toThrow(/closed/);
  });

  it('rejects opening a data directory PGlite cannot use, and leaves no thread', async () => {
    await expect(PgliteThread.open('/proc/no-such-place/pglite')).rejects.toThrow();
  });

  it('keeps an entry whose append resolved even when the process is then SIGKILLed', async () => {
    const entry = makeEntry();
    await database.close();
    await appendInChildThenKill(dataDir, entry, 'thread');
    database = await openThreadedPgliteAuditLogDatabase(dataDir);
    db = database.db;
    expect(await new PostgresAuditLogEntryRepository(db).findById(entry.id)).toStrictEqual(entry);
  });
});
