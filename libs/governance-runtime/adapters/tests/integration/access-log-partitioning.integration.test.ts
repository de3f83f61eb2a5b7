/**
 * Migration 018 on an access log that holds records, on a PostgreSQL server and on PGlite:
 * the table becomes partitioned by month without losing a record, refuses change like the
 * audit entries, and retention drops its expired months on its own period, each after a
 * signed record of what went, so an auditor can tell expired reads from deleted ones.
 */
import { createPublicKey } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import { Migrator } from 'kysely/migration';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessLogRetentionRecordProblem } from '../../../src/access-log-retention-record.js';
import { generateAuditSigningKey } from '../../../src/audit-signing-key.js';
import { makeAccessLogRecord } from '../../../testing/access-log-record-fixtures.js';
import { at } from '../../../testing/audit-log-entry-fixtures.js';
import {
  type OpenedTestDatabase,
  testAuditDatabases,
} from '../../../testing/test-audit-databases.js';
import type { AuditLogDatabase } from '../../postgres/audit-log-database.js';
import { auditLogMigrationProvider } from '../../postgres/audit-log-migrations.js';
import { listPartitions } from '../../postgres/audit-partition-maintenance.js';
import { accessLogRetentionRecords, applyAuditRetention } from '../../postgres/audit-retention.js';
import { partitionAt } from '../../postgres/partition-interval.js';
import {
  ACCESS_LOG_RECORDS_PARTITIONING,
  AUDIT_LOG_ENTRIES_PARTITIONING,
} from '../../postgres/partitioned-audit-tables.js';
import { PostgresAccessLogRepository } from '../../postgres/postgres-access-log-repository.js';
import { prepareOnlineMigrations } from '../../postgres/prepare-online-migrations.js';

const databases = testAuditDatabases({ migrated: false });

const BEFORE_018 = '016_add_shadow_rollout';
const LONG_AGO = '2020-01-15T10:00:00.000000Z';

describe.each(databases)('the access log partitioned by month on $name', ({ open }) => {
  let opened: OpenedTestDatabase;
  let db: Kysely<AuditLogDatabase>;
  const { key } = generateAuditSigningKey();
  const migrator = () => new Migrator({ db, provider: auditLogMigrationProvider });
  const count = async (table: string) => {
    const { rows } = await sql<{ n: string }>`
      select count(*)::text as n from ${sql.id(table)}`.execute(db);
    return Number(rows[0]?.n);
  };
  const written = [
    makeAccessLogRecord({ occurredAt: LONG_AGO }),
    makeAccessLogRecord({ occurredAt: at(0), principalId: 'key:reader' }),
    makeAccessLogRecord({ occurredAt: at(1000) }),
  ];

  beforeAll(async () => {
    opened = await open();
    db = opened.db;
    expect((await migrator().migrateTo(BEFORE_018)).error).toBeUndefined();
    // Written by a build of migration 016, whose table is not partitioned.
    const repository = new PostgresAccessLogRepository(db);
    for (const record of written) await repository.append(record);
  });
  afterAll(async () => {
    await opened?.close();
  });

  it('keeps every record read before 018 and creates the months ahead', async () => {
    const prepared = await prepareOnlineMigrations(db);
    expect(prepared.partitioning.map((p) => p.table)).toContain('access_log_records');
    const { results, error } = await migrator().migrateToLatest();
    expect(error).toBeUndefined();
    expect(results?.map((r) => r.migrationName)).toContain('018_partition_access_log_records');
    const { rows } = await sql<{ kind: string }>`
      select relkind::text as kind from pg_class where oid = 'access_log_records'::regclass`.execute(
      db,
    );
    expect(rows[0]?.kind).toBe('p');
    const page = await new PostgresAccessLogRepository(db).query({ limit: 10 });
    expect(page.records.map((r) => r.id).sort()).toEqual(written.map((r) => r.id).sort());
    expect(
      (await new PostgresAccessLogRepository(db).query({ limit: 10, principalId: 'key:reader' }))
        .records,
    ).toHaveLength(1);
    const partitions = await listPartitions(db, ACCESS_LOG_RECORDS_PARTITIONING);
    const names = partitions.map((p) => p.name);
    expect(names).toContain('access_log_records_legacy');
    expect(names).toContain('access_log_records_default');
    // Two months ahead of now is past the legacy bound (at most a month and a day ahead).
    const ahead = new Date();
    ahead.setUTCMonth(ahead.getUTCMonth() + 2, 1);
    expect(names).toContain(partitionAt('access_log_records', ahead, 'month').name);
    expect(await count('access_log_records_legacy')).toBe(written.length);
  });

  it('writes a new read into its month and still refuses the same id twice', async () => {
    const repository = new PostgresAccessLogRepository(db);
    const now = makeAccessLogRecord({ occurredAt: new Date().toISOString() });
    await repository.append(now);
    await expect(repository.append(now)).rejects.toThrow(/already|duplicate/i);
    expect(await count('access_log_records_default')).toBe(0);
  });

  it('refuses to update, delete or truncate records, as the audit entries do', async () => {
    await expect(sql`update access_log_records set status = 500`.execute(db)).rejects.toThrow(
      /append-only/,
    );
    await expect(sql`delete from access_log_records`.execute(db)).rejects.toThrow(/append-only/);
    await expect(sql`truncate access_log_records`.execute(db)).rejects.toThrow(/append-only/);
    await expect(sql`truncate access_log_records_legacy`.execute(db)).rejects.toThrow(
      /append-only/,
    );
  });

  it('is a plain table with every record again when migrated down, and partitioned again up', async () => {
    const before = await count('access_log_records');
    expect((await migrator().migrateTo(BEFORE_018)).error).toBeUndefined();
    const { rows } = await sql<{ kind: string }>`
      select relkind::text as kind from pg_class where oid = 'access_log_records'::regclass`.execute(
      db,
    );
    expect(rows[0]?.kind).toBe('r');
    expect(await count('access_log_records')).toBe(before);
    expect((await migrator().migrateToLatest()).error).toBeUndefined();
    expect(await count('access_log_records')).toBe(before);
  });

  it('lists on a dry run the access log months past its own period, and changes nothing', async () => {
    const outcome = await applyAuditRetention(db, {
      accessLogRetentionDays: 30,
      removedBy: 'test',
      dryRun: true,
      now: new Date(Date.UTC(2100, 0, 1)),
    });
    expect(outcome.partitions.length).toBeGreaterThan(0);
    expect(new Set(outcome.partitions.map((p) => p.table))).toEqual(
      new Set(['access_log_records']),
    );
    expect(outcome.partitions.every((p) => p.status === 'would drop')).toBe(true);
    expect(Object.keys(outcome.horizons)).toEqual(['access_log_records']);
    expect(await accessLogRetentionRecords(db)).toEqual([]);
  });

  it('drops expired months only after a signed record of each, keeping the audit entries', async () => {
    const stored = await count('access_log_records');
    const inLegacy = await count('access_log_records_legacy');
    const { rows: entries } = await sql<{ n: string }>`
      select count(*)::text as n from audit_log_entries`.execute(db);
    await expect(
      applyAuditRetention(db, { accessLogRetentionDays: 0, removedBy: 'test', key }),
    ).rejects.toThrow(/accessLogRetentionDays must be a positive integer/);
    const unsigned = await applyAuditRetention(db, {
      accessLogRetentionDays: 30,
      removedBy: 'test',
      now: new Date(Date.UTC(2100, 0, 1)),
    });
    expect(unsigned.partitions.every((p) => p.status === 'failed')).toBe(true);
    expect(await accessLogRetentionRecords(db)).toEqual([]);
    expect(await count('access_log_records')).toBe(stored);

    const outcome = await applyAuditRetention(db, {
      accessLogRetentionDays: 30,
      removedBy: 'cli:auditor-test',
      key,
      now: new Date(Date.UTC(2100, 0, 1)),
    });
    expect(outcome.partitions.filter((p) => p.status !== 'dropped')).toEqual([]);
    expect(await count('access_log_records')).toBe(0);
    const names = (await listPartitions(db, ACCESS_LOG_RECORDS_PARTITIONING)).map((p) => p.name);
    expect(names).toEqual(['access_log_records_default']);
    expect(
      (await listPartitions(db, AUDIT_LOG_ENTRIES_PARTITIONING)).some(
        (p) => p.name === 'audit_log_entries_legacy',
      ),
    ).toBe(true);
    const { rows: entriesAfter } = await sql<{ n: string }>`
      select count(*)::text as n from audit_log_entries`.execute(db);
    expect(entriesAfter[0]?.n).toBe(entries[0]?.n);

    const records = await accessLogRetentionRecords(db);
    expect(records.map((r) => r.partition).sort()).toEqual(
      outcome.partitions.map((p) => p.name).sort(),
    );
    expect(records.reduce((sum, r) => sum + r.removedRows, 0)).toBe(stored);
    const legacy = records.find((r) => r.partition === 'access_log_records_legacy');
    expect(legacy).toMatchObject({ partitionFrom: null, removedBy: 'cli:auditor-test' });
    expect(legacy?.removedRows).toBe(inLegacy);
    const publicKey = createPublicKey(key.publicKeyPem);
    for (const record of records) {
      expect(accessLogRetentionRecordProblem(record, publicKey)).toBeUndefined();
    }
    expect(accessLogRetentionRecordProblem({ ...legacy!, removedRows: 0 }, publicKey)).toMatch(
      /columns differ/,
    );
    await expect(sql`delete from access_log_retention_records`.execute(db)).rejects.toThrow(
      /append-only/,
    );
  });

  it('keeps the access log whole when only the audit entries have a period', async () => {
    await new PostgresAccessLogRepository(db).append(makeAccessLogRecord({ occurredAt: at(0) }));
    const outcome = await applyAuditRetention(db, {
      retentionDays: 30,
      accessLogRetentionDays: 36_500,
      removedBy: 'test',
      dryRun: true,
      now: new Date(Date.UTC(2100, 0, 1)),
    });
    expect(outcome.partitions.map((p) => p.name)).toContain('audit_log_entries_legacy');
    expect(outcome.partitions.every((p) => p.table === 'audit_log_entries')).toBe(true);
  });
});
