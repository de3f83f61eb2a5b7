/**
 * The indexes of migration 001 (declared on the partitioned parent since 010) serve the
 * repository's queries as they are written: each
 * filtered, keyset-paginated query reads an index in order, with no sort of the matching
 * rows, so a page costs the same on the millionth entry as on the first.
 */
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeAuditLogCursor } from '../../../src/audit-log-cursor.js';
import type { AuditLogQuery } from '../../../src/audit-log-query.js';
import { at, makeEntry } from '../../../testing/audit-log-entry-fixtures.js';
import { createTestDatabase, type TestDatabase } from '../../../testing/create-test-database.js';
import { migrateAuditLogToLatest } from '../../../testing/open-test-pglite.js';
import type { AuditLogDatabase } from '../../postgres/audit-log-database.js';
import { legacyIndexName } from '../../postgres/partition-legacy-table.js';
import { AUDIT_LOG_ENTRIES_PARTITIONING } from '../../postgres/partitioned-audit-tables.js';
import { PostgresAuditLogEntryRepository } from '../../postgres/postgres-audit-log-entry-repository.js';

describe('query plans on a PostgreSQL server', () => {
  let database: TestDatabase;
  let pool: pg.Pool;
  let db: Kysely<AuditLogDatabase>;
  let repository: PostgresAuditLogEntryRepository;
  let lastQuery: { sql: string; parameters: readonly unknown[] } | undefined;

  beforeAll(async () => {
    database = await createTestDatabase();
    pool = new pg.Pool({ connectionString: database.url, max: 2 });
    db = new Kysely<AuditLogDatabase>({
      dialect: new PostgresDialect({ pool }),
      log: (event) => {
        if (event.level === 'query' && /^\s*(select|with)\b/.test(event.query.sql)) {
          lastQuery = { sql: event.query.sql, parameters: event.query.parameters };
        }
      },
    });
    await migrateAuditLogToLatest(db);
    repository = new PostgresAuditLogEntryRepository(db);
    for (let i = 0; i < 300; i += 1) {
      await repository.append(
        makeEntry({
          occurredAt: at(i * 1000),
          userId: `user-${i % 20}`,
          decision: i % 7 === 0 ? 'deny' : 'allow',
          policyPath: i % 10 === 0 ? 'data.rare' : 'data.common',
        }),
      );
    }
    await sql`analyze audit_log_entries`.execute(db);
  });
  afterAll(async () => {
    await db?.destroy();
    await database?.drop();
  });

  /** The plan PostgreSQL picks for the SQL the repository ran for `query`. */
  async function planOf(
    query: AuditLogQuery,
    disabled = ['enable_seqscan', 'enable_bitmapscan', 'enable_sort'],
  ): Promise<string> {
    lastQuery = undefined;
    await repository.query(query);
    const ran = lastQuery!;
    const client = await pool.connect();
    try {
      await client.query('begin');
      // With 300 rows scanning and sorting is cheapest; forbid the alternatives to an
      // ordered index read, so the plan shows whether an index can serve the query as is
      // (if none can, PostgreSQL still sorts, and the test fails).
      for (const setting of disabled) {
        await client.query(`set local ${setting} = off`);
      }
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

  it.each([
    { note: 'newest first', query: { limit: 50 }, index: 'audit_log_entries_occurred_at_idx' },
    {
      note: 'the next page',
      query: { limit: 50, cursor },
      index: 'audit_log_entries_occurred_at_idx',
    },
    {
      note: 'a time window',
      query: { limit: 50, since: at(10_000), until: at(200_000) },
      index: 'audit_log_entries_occurred_at_idx',
    },
    {
      note: "a user's next page",
      query: { limit: 50, userId: 'user-3', cursor },
      index: 'audit_log_entries_user_id_occurred_at_idx',
    },
    {
      note: 'denials in a window',
      query: { limit: 50, decision: 'deny' as const, since: at(10_000) },
      index: 'audit_log_entries_decision_occurred_at_idx',
    },
    {
      note: "a policy's next page",
      query: { limit: 50, policyPath: 'data.rare', cursor },
      index: 'audit_log_entries_policy_path_occurred_at_idx',
    },
    {
      note: 'the next page within a byte budget',
      query: { limit: 1000, maxBytes: 4_194_304, cursor },
      index: 'audit_log_entries_occurred_at_idx',
    },
    {
      note: "a user's page within a byte budget",
      query: { limit: 50, maxBytes: 65_536, userId: 'user-3' },
      index: 'audit_log_entries_user_id_occurred_at_idx',
    },
  ])('reads $note from $index in order, without sorting', async ({ query, index }) => {
    const plan = await planOf(query);
    // The entries are of 2026-11, in the legacy partition (migration 010), whose copy of the
    // parent's index has the partition's name.
    expect(plan).toContain(`using ${legacyIndexName(AUDIT_LOG_ENTRIES_PARTITIONING, index)}`);
    // A Sort step, not the Merge Append's "Sort Key" (partitions merged in index order).
    expect(plan).not.toMatch(/(^|->\s+)Sort\s/m);
  });

  it('finds a decision id through its index', async () => {
    // One row at most: fetching it by id and sorting it is the plan to expect.
    const plan = await planOf({ limit: 50, decisionId: 'some-decision' }, ['enable_seqscan']);
    expect(plan).toMatch(/audit_log_entries_legacy_decision_id_idx|decision_id = /);
  });
});
