/**
 * The indexes of migrations 001 and 015 (declared on the partitioned parent since 010) serve
 * the repository's queries as they are written, on a PostgreSQL server and on PGlite: each
 * filtered, keyset-paginated query reads an index in order, with no sort of the matching
 * rows, so a page costs the same on the millionth entry as on the first.
 */
import { PGlite } from '@electric-sql/pglite';
import {
  CompiledQuery,
  Kysely,
  type KyselyConfig,
  PGliteDialect,
  PostgresDialect,
  sql,
} from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeAuditLogCursor } from '../../../src/audit-log-cursor.js';
import type { AuditLogQuery } from '../../../src/audit-log-query.js';
import { at, makeEntry } from '../../../testing/audit-log-entry-fixtures.js';
import { createTestDatabase } from '../../../testing/create-test-database.js';
import { migrateAuditLogToLatest } from '../../../testing/open-test-pglite.js';
import type { AuditLogDatabase } from '../../postgres/audit-log-database.js';
import {
  ACTION_INDEX,
  DECISION_ID_INDEX,
  GATEWAY_INSTANCE_INDEX,
} from '../../postgres/migrations/015-index-audit-filters.js';
import { legacyIndexName } from '../../postgres/partition-legacy-table.js';
import { AUDIT_LOG_ENTRIES_PARTITIONING } from '../../postgres/partitioned-audit-tables.js';
import { PostgresAuditLogEntryRepository } from '../../postgres/postgres-audit-log-entry-repository.js';

type LogConfig = KyselyConfig['log'];

/** A fresh, empty database with `log` on its Kysely; `close` drops it. */
interface PlannedDatabase {
  readonly db: Kysely<AuditLogDatabase>;
  close(): Promise<void>;
}

async function onServer(log: LogConfig): Promise<PlannedDatabase> {
  const database = await createTestDatabase();
  const db = new Kysely<AuditLogDatabase>({
    dialect: new PostgresDialect({
      pool: new pg.Pool({ connectionString: database.url, max: 2 }),
    }),
    log,
  });
  return {
    db,
    async close() {
      await db.destroy();
      await database.drop();
    },
  };
}

async function onPglite(log: LogConfig): Promise<PlannedDatabase> {
  const pglite = await PGlite.create('memory://');
  const db = new Kysely<AuditLogDatabase>({ dialect: new PGliteDialect({ pglite }), log });
  return {
    db,
    async close() {
      await db.destroy();
      if (!pglite.closed) await pglite.close();
    },
  };
}

describe.each([
  { backend: 'a PostgreSQL server', open: onServer },
  { backend: 'PGlite', open: onPglite },
])('query plans on $backend', ({ open }) => {
  let database: PlannedDatabase;
  let repository: PostgresAuditLogEntryRepository;
  let lastQuery: { sql: string; parameters: readonly unknown[] } | undefined;
  let decisionId: string;

  beforeAll(async () => {
    database = await open((event) => {
      if (
        event.level === 'query' &&
        /^\s*(\/\*[^*]*\*\/\s*)?(select|with)\b/.test(event.query.sql)
      ) {
        lastQuery = { sql: event.query.sql, parameters: event.query.parameters };
      }
    });
    const { db } = database;
    await migrateAuditLogToLatest(db);
    repository = new PostgresAuditLogEntryRepository(db);
    for (let i = 0; i < 300; i += 1) {
      const entry = makeEntry({
        occurredAt: at(i * 1000),
        userId: `user-${i % 20}`,
        decision: i % 7 === 0 ? 'deny' : 'allow',
        policyPath: i % 10 === 0 ? 'data.rare' : 'data.common',
        action: i % 10 === 0 ? 'opa.decision_log' : 'policy.evaluate',
        gatewayInstance: i % 10 === 3 ? 'opa-1' : 'gateway-1',
      });
      if (i === 150) decisionId = entry.decisionId;
      await repository.append(entry);
    }
    await sql`analyze audit_log_entries`.execute(db);
  }, 60_000);
  afterAll(async () => {
    await database?.close();
  });

  /** The plan PostgreSQL picks for the SQL the repository ran for `query`. */
  async function planOf(
    query: AuditLogQuery,
    disabled = ['enable_seqscan', 'enable_bitmapscan', 'enable_sort'],
  ): Promise<string> {
    lastQuery = undefined;
    await repository.query(query);
    const ran = lastQuery!;
    return database.db.transaction().execute(async (trx) => {
      // With 300 rows scanning and sorting is cheapest; forbid the alternatives to an
      // ordered index read, so the plan shows whether an index can serve the query as is
      // (if none can, PostgreSQL still sorts, and the test fails).
      for (const setting of disabled) await sql.raw(`set local ${setting} = off`).execute(trx);
      const { rows } = await trx.executeQuery<{ 'QUERY PLAN': string }>(
        CompiledQuery.raw(`explain ${ran.sql}`, [...ran.parameters]),
      );
      return rows.map((row) => row['QUERY PLAN']).join('\n');
    });
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
    {
      note: "an action's next page",
      query: { limit: 50, action: 'opa.decision_log', cursor },
      index: ACTION_INDEX,
    },
    {
      note: "a gateway instance's next page",
      query: { limit: 50, gatewayInstance: 'opa-1', cursor },
      index: GATEWAY_INSTANCE_INDEX,
    },
  ])('reads $note from $index in order, without sorting', async ({ query, index }) => {
    const plan = await planOf(query);
    // The entries are of 2026-11, in the legacy partition (migration 010), whose copy of the
    // parent's index has the partition's name.
    expect(plan).toContain(`using ${legacyIndexName(AUDIT_LOG_ENTRIES_PARTITIONING, index)}`);
    // A Sort step, not the Merge Append's "Sort Key" (partitions merged in index order).
    expect(plan).not.toMatch(/(^|->\s+)Sort\s/m);
  });

  it('finds a decision id through its index, in page order', async () => {
    const plan = await planOf({ limit: 50, decisionId });
    expect(plan).toContain(
      `using ${legacyIndexName(AUDIT_LOG_ENTRIES_PARTITIONING, DECISION_ID_INDEX)}`,
    );
    expect(plan).not.toMatch(/(^|->\s+)Sort\s/m);
  });

  it('reads a page from its walk through the index, with no second lookup by id', async () => {
    const plan = await planOf({ limit: 50, maxBytes: 65_536, cursor });
    // Each partition's unique index on id (`<partition>_id_key`): a join of the page's ids.
    expect(plan).not.toMatch(/_id_key\b/);
    expect(plan).not.toMatch(/Hash Join|Merge Join/);
  });
});
