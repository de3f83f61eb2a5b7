/**
 * Retention on a PostgreSQL server: expired partitions go whole, after a signed record per
 * chain they cut; rows are still never updated or deleted one by one.
 */
import { createPublicKey } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { retentionRecordProblem } from '../../../src/audit-retention-record.js';
import { generateAuditSigningKey } from '../../../src/audit-signing-key.js';
import { makeEntry } from '../../../testing/audit-log-entry-fixtures.js';
import { createTestDatabase, type TestDatabase } from '../../../testing/create-test-database.js';
import { migrateAuditLogToLatest } from '../../../testing/open-test-pglite.js';
import type { AuditLogDatabase } from '../../postgres/audit-log-database.js';
import { listPartitions } from '../../postgres/audit-partition-maintenance.js';
import { applyAuditRetention, retentionRecordsOf } from '../../postgres/audit-retention.js';
import { openPostgresAuditLogDatabase } from '../../postgres/open-postgres-audit-log-database.js';
import { AUDIT_LOG_ENTRIES_PARTITIONING } from '../../postgres/partitioned-audit-tables.js';
import { PostgresAuditLogEntryRepository } from '../../postgres/postgres-audit-log-entry-repository.js';

/** A stand-in entry hash: retention records the stored hash, it does not recompute it. */
const hex = (n: number) => n.toString(16).padStart(64, '0');

describe('retention on a PostgreSQL server', () => {
  let database: TestDatabase;
  let db: Kysely<AuditLogDatabase>;
  const chainId = '0190a000-0000-7000-8000-0000000000c1';
  const { key } = generateAuditSigningKey();

  beforeAll(async () => {
    database = await createTestDatabase();
    db = openPostgresAuditLogDatabase({ connectionString: database.url, maxConnections: 2 });
    await migrateAuditLogToLatest(db);
    const repository = new PostgresAuditLogEntryRepository(db);
    for (let seq = 1; seq <= 3; seq += 1) {
      await repository.append(
        makeEntry({
          occurredAt: `2020-01-0${seq}T00:00:00Z`,
          chain: { chainId, seq, prevHash: hex(seq - 1), entryHash: hex(seq) },
        }),
      );
    }
  });
  afterAll(async () => {
    await db?.destroy();
    await database?.drop();
  });

  it('lists what would go on a dry run and changes nothing', async () => {
    const now = new Date(Date.UTC(2100, 0, 1));
    const outcome = await applyAuditRetention(db, {
      retentionDays: 30,
      removedBy: 'test',
      dryRun: true,
      now,
    });
    const legacy = outcome.partitions.find((p) => p.name === 'audit_log_entries_legacy');
    expect(legacy?.status).toBe('would drop');
    expect(legacy?.chains).toEqual([{ chainId, lastRemovedSeq: 3, lastRemovedEntryHash: hex(3) }]);
    expect(outcome.partitions.some((p) => p.isDefault)).toBe(false);
    expect((await retentionRecordsOf(db, chainId)).length).toBe(0);
    const { rows } = await sql<{
      n: string;
    }>`select count(*)::text as n from audit_log_entries`.execute(db);
    expect(rows[0]?.n).toBe('3');
  });

  it('keeps every partition not wholly past the horizon', async () => {
    const outcome = await applyAuditRetention(db, { retentionDays: 30, removedBy: 'test', key });
    expect(outcome.partitions).toEqual([]);
  });

  it('drops an expired partition whole after a signed record of where each chain now starts', async () => {
    const now = new Date(Date.UTC(2100, 0, 1));
    const outcome = await applyAuditRetention(db, {
      retentionDays: 30,
      removedBy: 'test',
      key,
      now,
    });
    expect(outcome.partitions.filter((p) => p.status !== 'dropped')).toEqual([]);
    const names = (await listPartitions(db, AUDIT_LOG_ENTRIES_PARTITIONING)).map((p) => p.name);
    expect(names).not.toContain('audit_log_entries_legacy');
    expect(names).toContain('audit_log_entries_default');
    const { rows } = await sql<{
      n: string;
    }>`select count(*)::text as n from audit_log_entries`.execute(db);
    expect(rows[0]?.n).toBe('0');
    const [record] = await retentionRecordsOf(db, chainId);
    expect(record).toMatchObject({
      chainId,
      lastRemovedSeq: 3,
      lastRemovedEntryHash: hex(3),
      partition: 'audit_log_entries_legacy',
      removedBy: 'test',
      keyId: key.keyId,
    });
    expect(retentionRecordProblem(record!, createPublicKey(key.publicKeyPem))).toBeUndefined();
    const forged = { ...record!, lastRemovedSeq: 99 };
    expect(retentionRecordProblem(forged, createPublicKey(key.publicKeyPem))).toMatch(
      /columns differ/,
    );
    const { rows: keys } = await sql<{
      key_id: string;
    }>`select key_id from audit_signing_keys`.execute(db);
    expect(keys.map((k) => k.key_id)).toContain(key.keyId);
  });

  it('still refuses to change or delete retention records and entries row by row', async () => {
    await expect(sql`delete from audit_retention_records`.execute(db)).rejects.toThrow(
      /append-only/,
    );
    await new PostgresAuditLogEntryRepository(db).append(makeEntry());
    await expect(sql`delete from audit_log_entries`.execute(db)).rejects.toThrow(/append-only/);
  });
});
