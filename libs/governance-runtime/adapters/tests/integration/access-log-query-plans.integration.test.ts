/**
 * The indexes of migration 006 (declared on the partitioned parent since 018) serve the access
 * log's queries as they are written: a filtered,
 * keyset-paginated page reads an index in order, with no sort of the matching records, so a
 * page costs the same on the millionth record as on the first; "who read this entry" is found
 * through the GIN index on `entry_ids` rather than by reading every record.
 */
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccessLogQuery } from '../../../src/access-log-query.js';
import { encodeAuditLogCursor } from '../../../src/audit-log-cursor.js';
import { newAuditLogEntryId } from '../../../src/new-audit-log-entry-id.js';
import { makeAccessLogRecord } from '../../../testing/access-log-record-fixtures.js';
import { at } from '../../../testing/audit-log-entry-fixtures.js';
import { createTestDatabase, type TestDatabase } from '../../../testing/create-test-database.js';
import { migrateAuditLogToLatest } from '../../../testing/open-test-pglite.js';
import type { AuditLogDatabase } from '../../postgres/audit-log-database.js';
import { legacyIndexName } from '../../postgres/partition-legacy-table.js';
import { ACCESS_LOG_RECORDS_PARTITIONING } from '../../postgres/partitioned-audit-tables.js';
import { PostgresAccessLogRepository } from '../../postgres/postgres-access-log-repository.js';

describe('access log query plans on a PostgreSQL server', () => {
  let database: TestDatabase;
  let pool: pg.Pool;
  let db: Kysely<AuditLogDatabase>;
  let repository: PostgresAccessLogRepository;
  let lastQuery: { sql: string; parameters: readonly unknown[] } | undefined;
  const seen = newAuditLogEntryId();

  beforeAll(async () => {
    database = await createTestDatabase();
    pool = new pg.Pool({ connectionString: database.url, max: 2 });
    db = new Kysely<AuditLogDatabase>({
      dialect: new PostgresDialect({ pool }),
      log: (event) => {
        if (event.level === 'query' && /^\s*select\b/.test(event.query.sql)) {
          lastQuery = { sql: event.query.sql, parameters: event.query.parameters };
        }
      },
    });
    await migrateAuditLogToLatest(db);
    repository = new PostgresAccessLogRepository(db);
    for (let i = 0; i < 300; i += 1) {
      await repository.append(
        makeAccessLogRecord({
          occurredAt: at(i * 1000),
          principalId: `key:${i % 20}`,
          route: i % 10 === 0 ? '/governance/audit/:id' : '/governance/audit',
          ...(i % 50 === 0 && { entryIds: [seen], entryCount: 1 }),
        }),
      );
    }
    await pool.query('analyze access_log_records');
  });
  afterAll(async () => {
    await db?.destroy();
    await database?.drop();
  });

  /** The plan PostgreSQL picks for the SQL the repository ran for `query`. */
  async function planOf(query: AccessLogQuery, disabled: readonly string[]): Promise<string> {
    lastQuery = undefined;
    await repository.query(query);
    const ran = lastQuery!;
    const client = await pool.connect();
    try {
      await client.query('begin');
      // With 300 rows scanning and sorting is cheapest; forbid the alternatives so that the
      // plan shows whether an index can serve the query as it is written.
      for (const setting of disabled) await client.query(`set local ${setting} = off`);
      const { rows } = await client.query<{ 'QUERY PLAN': string }>(`explain ${ran.sql}`, [
        ...ran.parameters,
      ]);
      return rows.map((row) => row['QUERY PLAN']).join('\n');
    } finally {
      await client.query('rollback');
      client.release();
    }
  }

  const cursor = encodeAuditLogCursor({
    occurredAt: at(150_000),
    id: 'ffffffff-ffff-7fff-bfff-ffffffffffff',
  });
  const ordered = ['enable_seqscan', 'enable_bitmapscan', 'enable_sort'];

  it.each([
    { note: 'newest first', query: { limit: 50 }, index: 'access_log_records_occurred_at_idx' },
    {
      note: 'the next page in a time window',
      query: { limit: 50, cursor, since: at(10_000) },
      index: 'access_log_records_occurred_at_idx',
    },
    {
      note: "a principal's next page",
      query: { limit: 50, principalId: 'key:3', cursor },
      index: 'access_log_records_principal_id_occurred_at_idx',
    },
    {
      note: "a route's next page",
      query: { limit: 50, route: '/governance/audit/:id', cursor },
      index: 'access_log_records_route_occurred_at_idx',
    },
  ])('reads $note from $index in order, without sorting', async ({ query, index }) => {
    const plan = await planOf(query, ordered);
    // The records are of 2026-11, in the legacy partition (migration 018), whose copy of the
    // parent's index has the partition's name.
    expect(plan).toContain(`using ${legacyIndexName(ACCESS_LOG_RECORDS_PARTITIONING, index)}`);
    // A Sort step, not the Merge Append's "Sort Key" (partitions merged in index order).
    expect(plan).not.toMatch(/(^|->\s+)Sort\s/m);
  });

  it('finds the records that carried an entry through the GIN index on entry_ids', async () => {
    expect((await repository.query({ limit: 50, entryId: seen })).records).toHaveLength(6);
    const plan = await planOf({ limit: 50, entryId: seen }, ['enable_seqscan', 'enable_indexscan']);
    expect(plan).toContain(
      legacyIndexName(ACCESS_LOG_RECORDS_PARTITIONING, 'access_log_records_entry_ids_idx'),
    );
  });
});
