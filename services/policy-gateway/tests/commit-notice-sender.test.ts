/**
 * The notices of committed audit entries on a PostgreSQL server: the entries' own transaction
 * sends none since migration 023 (a notifying transaction's commit holds a database-wide lock
 * until flushed), and the gateway's `CommitNoticeSender` sends them after, coalesced, on the
 * channel other replicas' live tails listen on.
 */
import {
  AUDIT_ENTRY_COMMITS_CHANNEL,
  type AuditLogDatabase,
  openPostgresAuditLogDatabase,
  PostgresAuditLogEntryRepository,
} from '@policy-gateway/governance-runtime/postgres';
import { createTestDatabase, type TestDatabase } from '@policy-gateway/governance-runtime/testing';
import type { Kysely } from 'kysely';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { migrateToLatest } from '../src/db/migration-runner.js';
import { CommitNoticeSender } from '../src/store/commit-notice-sender.js';
import { auditEntry } from './support/audit-entry-fixture.js';

describe('notices of committed audit entries on a PostgreSQL server', () => {
  let database: TestDatabase;
  let db: Kysely<AuditLogDatabase>;
  let listener: pg.Client;
  let heard: number;

  beforeAll(async () => {
    database = await createTestDatabase();
    db = openPostgresAuditLogDatabase({ connectionString: database.url, maxConnections: 2 });
    expect((await migrateToLatest(db)).error).toBeUndefined();
    listener = new pg.Client({ connectionString: database.url });
    await listener.connect();
    listener.on('notification', () => {
      heard += 1;
    });
    await listener.query(`listen ${AUDIT_ENTRY_COMMITS_CHANNEL}`);
  });
  beforeEach(() => {
    heard = 0;
  });
  afterAll(async () => {
    await listener?.end();
    await db?.destroy();
    await database?.drop();
  });

  /** Waits long enough for a notice sent now to arrive (they arrive in milliseconds). */
  const settle = () => new Promise((resolve) => setTimeout(resolve, 300));

  it("sends no notice from the entries' own transaction", async () => {
    await new PostgresAuditLogEntryRepository(db).appendMany([auditEntry(1), auditEntry(2)]);
    await settle();
    expect(heard).toBe(0);
  });

  it('announces a commit to a listening connection', async () => {
    const sender = new CommitNoticeSender(db, pino({ level: 'silent' }));
    sender.notify();
    await sender.close();
    await settle();
    expect(heard).toBe(1);
  });

  it('sends one notice for all the commits told before it starts', async () => {
    const sender = new CommitNoticeSender(db, pino({ level: 'silent' }));
    for (let i = 0; i < 50; i += 1) sender.notify();
    await sender.close();
    await settle();
    expect(heard).toBe(1);
  });

  it('sends the next notice no sooner than the interval after the last, one for all told meanwhile', async () => {
    const sender = new CommitNoticeSender(db, pino({ level: 'silent' }), { minIntervalMs: 400 });
    const started = performance.now();
    sender.notify();
    while (heard < 1) await new Promise((resolve) => setTimeout(resolve, 5));
    for (let i = 0; i < 10; i += 1) sender.notify();
    while (heard < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    // A lower bound only: the second notice cannot have started before the interval ended.
    expect(performance.now() - started).toBeGreaterThanOrEqual(400);
    await sender.close();
    await settle();
    expect(heard).toBe(2);
  });

  it('sends a notice still waiting for its interval at once when closed', async () => {
    const sender = new CommitNoticeSender(db, pino({ level: 'silent' }), { minIntervalMs: 60_000 });
    sender.notify();
    while (heard < 1) await new Promise((resolve) => setTimeout(resolve, 5));
    sender.notify();
    await sender.close();
    await settle();
    expect(heard).toBe(2);
  });

  it('sends nothing once closed, and tells of a failure in the log instead of throwing', async () => {
    const warnings: string[] = [];
    const broken = openPostgresAuditLogDatabase({
      connectionString: database.url.replace(/\/[^/]*$/, '/no_such_database_for_notices'),
      maxConnections: 1,
    });
    const log = pino({ level: 'warn' }, { write: (line: string) => warnings.push(line) });
    const failing = new CommitNoticeSender(broken, log);
    failing.notify();
    await failing.close();
    failing.notify();
    await broken.destroy();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/could not announce committed audit entries/);
    await settle();
    expect(heard).toBe(0);
  });
});
