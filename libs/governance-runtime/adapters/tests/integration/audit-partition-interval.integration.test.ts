/**
 * `POLICY_GATEWAY_AUDIT_PARTITION_INTERVAL` underneath: partitions of a month, an ISO week or
 * a day, made ahead of time on a PostgreSQL server and on PGlite, and a change of interval on
 * a trail that already has partitions: the new partitions begin exactly where the old ones
 * end, so that no stretch of time is left to the default partition, and entries written in
 * the changed-over stretch land in a range partition.
 */
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEntry } from '../../../testing/audit-log-entry-fixtures.js';
import { migrateAuditLogToLatest } from '../../../testing/open-test-pglite.js';
import {
  type OpenedTestDatabase,
  testAuditDatabases,
} from '../../../testing/test-audit-databases.js';
import type { AuditLogDatabase } from '../../postgres/audit-log-database.js';
import {
  ensureAuditPartitions,
  listPartitions,
  type StoredPartition,
} from '../../postgres/audit-partition-maintenance.js';
import {
  intervalStart,
  partitionAt,
  partitionsBetween,
} from '../../postgres/partition-interval.js';
import { AUDIT_LOG_ENTRIES_PARTITIONING } from '../../postgres/partitioned-audit-tables.js';
import { PostgresAuditLogEntryRepository } from '../../postgres/postgres-audit-log-entry-repository.js';

const DAY = 86_400_000;
const utc = (year: number, month: number, day: number) => new Date(Date.UTC(year, month - 1, day));

describe('partition intervals', () => {
  it('start on the first of the month, on Monday, or at midnight (UTC)', () => {
    // 2099-02-20 is a Friday.
    const friday = new Date(Date.UTC(2099, 1, 20, 15, 30));
    expect(intervalStart(friday, 'month')).toEqual(utc(2099, 2, 1));
    expect(intervalStart(friday, 'week')).toEqual(utc(2099, 2, 16));
    expect(intervalStart(friday, 'day')).toEqual(utc(2099, 2, 20));
    expect(intervalStart(friday, 'month', 11)).toEqual(utc(2100, 1, 1));
    expect(intervalStart(friday, 'week', 2)).toEqual(utc(2099, 3, 2));
    // A Sunday belongs to the week that began the Monday before.
    expect(intervalStart(utc(2099, 2, 22), 'week')).toEqual(utc(2099, 2, 16));
  });

  it('are named after their first day, and tile time without gaps', () => {
    expect(partitionAt('t', utc(2099, 2, 20), 'month').name).toBe('t_y2099m02');
    expect(partitionAt('t', utc(2099, 2, 20), 'week').name).toBe('t_y2099m02d16');
    expect(partitionAt('t', utc(2099, 2, 20), 'day').name).toBe('t_y2099m02d20');
    for (const interval of ['month', 'week', 'day'] as const) {
      const list = partitionsBetween('t', utc(2099, 12, 20), utc(2100, 3, 5), interval);
      for (let i = 1; i < list.length; i += 1) expect(list[i]!.from).toEqual(list[i - 1]!.to);
      expect(list[0]!.from.getTime()).toBeLessThanOrEqual(utc(2099, 12, 20).getTime());
      expect(list.at(-1)!.to.getTime()).toBeGreaterThan(utc(2100, 3, 5).getTime());
    }
  });
});

const databases = testAuditDatabases({ migrated: false });

/** The range partitions from `from` on (after the legacy one), oldest first. */
async function rangesFrom(db: Kysely<AuditLogDatabase>, from: Date): Promise<StoredPartition[]> {
  const all = await listPartitions(db, AUDIT_LOG_ENTRIES_PARTITIONING);
  return all.filter((p) => !p.isDefault && p.from !== null && Date.parse(p.from) >= from.getTime());
}

describe.each(databases)('partitions by interval on $name', ({ open }) => {
  let opened: OpenedTestDatabase;
  beforeAll(async () => {
    opened = await open();
    await migrateAuditLogToLatest(opened.db);
  }, 120_000);
  afterAll(async () => {
    await opened?.close();
  });

  it('changes from months to weeks to days without leaving a stretch to the default partition', async () => {
    const { db } = opened;
    const months = await ensureAuditPartitions(db, { now: utc(2099, 1, 15), ahead: 1 });
    expect(months.failed).toEqual([]);
    expect(months.created).toEqual(
      expect.arrayContaining(['audit_log_entries_y2099m01', 'audit_log_entries_y2099m02']),
    );

    // Weeks from 20 February: the week of 23 February overlaps February's partition, so its
    // partition begins on 1 March, where February's ends.
    const weeks = await ensureAuditPartitions(db, {
      now: utc(2099, 2, 20),
      interval: 'week',
      ahead: 3,
    });
    expect(weeks.failed).toEqual([]);
    expect(weeks.created).toEqual(
      expect.arrayContaining([
        'audit_log_entries_y2099m03d01',
        'audit_log_entries_y2099m03d02',
        'audit_log_entries_y2099m03d09',
      ]),
    );
    expect(weeks.created).not.toContain('audit_log_entries_y2099m02d16');

    // Then days, from inside the last week made: they begin where the weeks end.
    const days = await ensureAuditPartitions(db, {
      now: utc(2099, 3, 12),
      interval: 'day',
      ahead: 7,
    });
    expect(days.failed).toEqual([]);
    expect(days.created[0]).toBe('audit_log_entries_y2099m03d16');

    const ranges = await rangesFrom(db, utc(2099, 1, 1));
    for (let i = 1; i < ranges.length; i += 1) expect(ranges[i]!.from).toBe(ranges[i - 1]!.to);
    expect(ranges.at(-1)!.to).toBe('2099-03-20T00:00:00.000000Z');
    const lengths = ranges
      .filter((p) => Date.parse(p.from!) >= utc(2099, 3, 16).getTime())
      .map((p) => (Date.parse(p.to!) - Date.parse(p.from!)) / DAY);
    expect(new Set(lengths)).toEqual(new Set([1]));

    // Entries in every stretch that changed over land in range partitions, none in the default.
    const repository = new PostgresAuditLogEntryRepository(db);
    for (const day of ['2099-02-28', '2099-03-01', '2099-03-08', '2099-03-16', '2099-03-19']) {
      await repository.append(makeEntry({ occurredAt: `${day}T12:00:00.000000Z` }));
    }
    const { rows } = await sql<{ count: string }>`
      select count(*)::text as count from audit_log_entries_default`.execute(db);
    expect(rows[0]!.count).toBe('0');
  });

  it('makes nothing twice when run again with the same interval', async () => {
    const again = await ensureAuditPartitions(opened.db, {
      now: utc(2099, 3, 12),
      interval: 'day',
      ahead: 7,
    });
    expect(again).toEqual({ created: [], failed: [] });
  });
});
