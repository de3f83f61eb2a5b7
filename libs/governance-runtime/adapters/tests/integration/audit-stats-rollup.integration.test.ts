/**
 * The stats roll-ups of migration 019 on a PostgreSQL server and on PGlite: after random
 * entries written through every write path, concurrent batches included, the roll-ups equal a
 * recount of the stored entries, and the stats read from them equal those counted by scanning
 * the same entries (the memory reader); so do they after single batches of hundreds of entries
 * (group commit's one INSERT), each key counted once however many of its entries share it.
 * Retention's dropped partition leaves no roll-up behind. Since migration 024 entries wait in
 * `audit_stats_pending` until a roll-up moves them: the stats count them meanwhile, a roll-up
 * counts each once (concurrent roll-ups and uncommitted writers included), and no writer waits
 * for another's commit.
 */
import { type Kysely, sql } from 'kysely';
import { Migrator } from 'kysely/migration';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditDecision, AuditLogEntry, AuditReason } from '../../../src/audit-log-entry.js';
import { generateAuditSigningKey } from '../../../src/audit-signing-key.js';
import type { AuditStats } from '../../../src/audit-stats.js';
import type { AuditStatsQuery } from '../../../src/audit-stats-query.js';
import { formatEpochMicros } from '../../../src/audit-timestamp.js';
import { makeEntry } from '../../../testing/audit-log-entry-fixtures.js';
import { createTestDatabase, type TestDatabase } from '../../../testing/create-test-database.js';
import {
  migrateAuditLogToLatest,
  openTestPglite,
  type TestPglite,
} from '../../../testing/open-test-pglite.js';
import { MemoryAuditLogEntryRepository } from '../../memory/memory-audit-log-entry-repository.js';
import { MemoryAuditStatsReader } from '../../memory/memory-audit-stats-reader.js';
import type { AuditLogDatabase } from '../../postgres/audit-log-database.js';
import { auditLogMigrationProvider } from '../../postgres/audit-log-migrations.js';
import { applyAuditRetention } from '../../postgres/audit-retention.js';
import {
  AUDIT_STATS_TABLES,
  rebuildAuditStats,
  rollUpPendingAuditStats,
} from '../../postgres/audit-stats-rollup.js';
import { openPostgresAuditLogDatabase } from '../../postgres/open-postgres-audit-log-database.js';
import { PostgresAuditLogEntryRepository } from '../../postgres/postgres-audit-log-entry-repository.js';
import { PostgresAuditStatsReader } from '../../postgres/postgres-audit-stats-reader.js';

/** A small deterministic generator (mulberry32), so a failure replays with its seed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const START = Date.UTC(2026, 10, 20, 0, 0, 0);
const REASONS: readonly AuditReason[] = [
  'secret.aws_key',
  'pii.email',
  'pii.phone',
  'jailbreak',
].map((code) => ({ code, message: code, severity: 'high' as const }));

/** `count` entries over three days, users, reasons, versions and latencies drawn from `seed`. */
function randomEntries(seed: number, count: number): AuditLogEntry[] {
  const next = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  return Array.from({ length: count }, () => {
    const decision = pick<AuditDecision>(['allow', 'allow', 'deny', 'error']);
    const reasons =
      decision === 'deny' ? [pick(REASONS), pick(REASONS)] : next() < 0.1 ? [pick(REASONS)] : [];
    const micros = (START + Math.floor(next() * 3 * 86_400_000)) * 1000 + Math.floor(next() * 1000);
    return makeEntry({
      occurredAt: formatEpochMicros(micros),
      decision,
      reasons,
      userId: `user-${Math.floor(next() * 12)}`,
      policyVersion: micros < (START + 86_400_000) * 1000 ? 'v1' : pick(['v1', 'v2']),
      latencyMs: next() < 0.05 ? 0 : 0.01 + next() ** 3 * 400,
      action: next() < 0.1 ? 'opa.decision_log' : 'policy.evaluate',
    });
  });
}

/** Writes through every path: single appends, plain and atomic batches, several at once. */
async function writeConcurrently(
  repository: PostgresAuditLogEntryRepository | MemoryAuditLogEntryRepository,
  entries: readonly AuditLogEntry[],
): Promise<void> {
  const writers = 6;
  await Promise.all(
    Array.from({ length: writers }, async (_, writer) => {
      const mine = entries.filter((_, i) => i % writers === writer);
      for (let start = 0; start < mine.length; start += 25) {
        const batch = mine.slice(start, start + 25);
        if (start % 75 === 0) {
          for (const entry of batch.slice(0, 3)) await repository.append(entry);
          await repository.appendMany(batch.slice(3));
        } else {
          await repository.appendMany(batch, { atomic: start % 50 === 0 });
        }
      }
    }),
  );
}

/** Columns of a roll-up row that are not part of its key: how shards of one key combine. */
const COMBINE: Readonly<Record<string, (a: string, b: string) => string>> = {
  entries: (a, b) => String(Number(a) + Number(b)),
  first_at: (a, b) => [a, b].sort()[0]!,
  last_at: (a, b) => [a, b].sort()[1]!,
  last_committed_at: (a, b) => [a, b].sort()[1]!,
};

/**
 * Every roll-up's rows as text, the shards of each key added up (migration 022 spreads a key's
 * count over the writers' shards; a recount puts it whole in shard 0), in key order.
 */
async function rollupRows(db: Kysely<AuditLogDatabase>): Promise<Record<string, unknown[]>> {
  const rows: Record<string, unknown[]> = {};
  for (const table of AUDIT_STATS_TABLES) {
    const { rows: found } = await sql<Record<string, unknown>>`
      select * from ${sql.id(table)}`.execute(db);
    const byKey = new Map<string, Record<string, string>>();
    for (const row of found) {
      const text = Object.fromEntries(
        Object.entries(row)
          .filter(([k]) => k !== 'shard')
          .map(([k, v]) => [k, v instanceof Date ? v.toISOString() : String(v)]),
      );
      const key = JSON.stringify(Object.entries(text).filter(([k]) => !(k in COMBINE)));
      const seen = byKey.get(key);
      if (seen === undefined) byKey.set(key, text);
      else
        for (const [k, combine] of Object.entries(COMBINE)) {
          if (k in text) seen[k] = combine(seen[k]!, text[k]!);
        }
    }
    rows[table] = [...byKey].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, row]) => row);
  }
  return rows;
}

/** How many entries wait for a roll-up. */
async function pendingEntries(db: Kysely<AuditLogDatabase>): Promise<number> {
  const { rows } = await sql<{ n: string | number }>`
    select count(*) as n from audit_stats_pending`.execute(db);
  return Number(rows[0]!.n);
}

/** The stats without what only a database knows (commit times: end-to-end latency, uploads). */
function withoutEndToEnd(stats: AuditStats): unknown {
  const { endToEndMs: _overall, ...rest } = stats;
  return {
    ...rest,
    buckets: rest.buckets.map(({ endToEndMs: _bucket, ...bucket }) => bucket),
    sources: rest.sources.map(({ lastCommittedAt: _commit, ...source }) => source),
  };
}

const QUERIES: readonly AuditStatsQuery[] = [
  { since: '2026-11-20T00:00:00Z', until: '2026-11-23T00:00:00Z', bucket: 'hour' },
  { since: '2026-11-19T00:00:00Z', until: '2026-11-24T00:00:00Z', bucket: 'day', top: 3 },
  { since: '2026-11-21T05:30:00Z', until: '2026-11-21T09:10:00Z', top: 50 },
  // Hours before and after whole days: users ranked from both grains of the roll-ups.
  { since: '2026-11-20T05:30:00Z', until: '2026-11-22T18:10:00Z', bucket: 'hour', top: 5 },
];

const backends: ReadonlyArray<{
  name: string;
  open(): Promise<{ db: Kysely<AuditLogDatabase>; close(): Promise<void> }>;
}> = [
  {
    name: 'a PostgreSQL server',
    async open() {
      const database: TestDatabase = await createTestDatabase();
      const db = openPostgresAuditLogDatabase({
        connectionString: database.url,
        maxConnections: 6,
      });
      await migrateAuditLogToLatest(db);
      return {
        db,
        close: async () => {
          await db.destroy();
          await database.drop();
        },
      };
    },
  },
  {
    name: 'PGlite',
    async open() {
      const pglite: TestPglite = await openTestPglite();
      return { db: pglite.db, close: () => pglite.remove() };
    },
  },
];

describe.each(backends)('audit stats roll-ups on $name', (backend) => {
  let db: Kysely<AuditLogDatabase>;
  let close: () => Promise<void>;
  const entries = randomEntries(17, 1200);
  const memory = new MemoryAuditLogEntryRepository({ maxEntries: 10_000 });

  beforeAll(async () => {
    ({ db, close } = await backend.open());
    await writeConcurrently(new PostgresAuditLogEntryRepository(db), entries);
    await memory.appendMany(entries);
    // Initialising PGlite and writing concurrently take over a minute on a loaded machine.
  }, 240_000);
  afterAll(async () => {
    await close?.();
  });

  it('counts entries not yet rolled up as a scan does, then rolls each up once', async () => {
    expect(await pendingEntries(db)).toBe(entries.length);
    const fromRollups = await rollupRows(db);
    expect(Object.values(fromRollups).flat()).toEqual([]);
    const before = await new PostgresAuditStatsReader(db).stats(QUERIES[3]!);
    expect(withoutEndToEnd(before)).toEqual(
      withoutEndToEnd(await new MemoryAuditStatsReader(memory).stats(QUERIES[3]!)),
    );
    // Two at once: one takes the lock and moves every entry, the other leaves at once.
    const moved = await Promise.all([rollUpPendingAuditStats(db), rollUpPendingAuditStats(db)]);
    expect(moved[0]! + moved[1]!).toBe(entries.length);
    expect(await rollUpPendingAuditStats(db)).toBe(0);
    expect(await pendingEntries(db)).toBe(0);
    expect(await new PostgresAuditStatsReader(db).stats(QUERIES[3]!)).toEqual(before);
  });

  it('hold exactly what a recount of the stored entries gives, after concurrent writes', async () => {
    const kept = await rollupRows(db);
    expect(kept.audit_stats_decisions!.length).toBeGreaterThan(100);
    await db.transaction().execute((trx) => rebuildAuditStats<AuditLogDatabase>(trx));
    expect(await rollupRows(db)).toEqual(kept);
  });

  it.each(QUERIES)(
    'answers $bucket buckets from $since to $until as a scan of the entries does',
    async (query) => {
      const fromRollups = await new PostgresAuditStatsReader(db).stats(query);
      const scanned = await new MemoryAuditStatsReader(memory).stats(query);
      expect(withoutEndToEnd(fromRollups)).toEqual(withoutEndToEnd(scanned));
      const total = fromRollups.totals.allow + fromRollups.totals.deny + fromRollups.totals.error;
      expect(total).toBeGreaterThan(0);
    },
  );

  it('counts end-to-end latency from decision to commit, leaving out uploaded decisions', async () => {
    const stats = await new PostgresAuditStatsReader(db).stats(QUERIES[0]!);
    const { rows } = await sql<{ n: string | number }>`
      select count(*) as n from audit_log_entries where action <> 'opa.decision_log'`.execute(db);
    const { rows: bins } = await sql<{ n: string | number }>`
      select sum(entries) as n from audit_stats_latency where kind = 'end_to_end'`.execute(db);
    expect(Number(bins[0]!.n)).toBe(Number(rows[0]!.n));
    // Written now for decisions of November 2026: a commit long after the decision.
    expect(stats.endToEndMs.p50).toBeGreaterThan(0);
  });

  it('ranks reasons once per entry, users by denials, and dates versions by first decision', async () => {
    const stats = await new PostgresAuditStatsReader(db).stats(QUERIES[1]!);
    const inRange = entries.filter(
      (e) => e.occurredAt >= '2026-11-19T00:00:00Z' && e.occurredAt < '2026-11-24T00:00:00Z',
    );
    const byCode = new Map<string, number>();
    for (const e of inRange) {
      for (const code of new Set(e.reasons.map((r) => r.code)))
        byCode.set(code, (byCode.get(code) ?? 0) + 1);
    }
    const expected = [...byCode].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 3);
    expect(stats.topReasons.map((r) => [r.code, r.entries])).toEqual(expected);
    for (const reason of stats.topReasons) {
      expect(reason.trend.reduce((a, b) => a + b, 0)).toBe(reason.entries);
    }
    const denied = inRange.filter((e) => e.decision === 'deny');
    expect(stats.topUsersByDenials.reduce((a, u) => a + u.denials, 0)).toBeLessThanOrEqual(
      denied.length,
    );
    expect(stats.topUsersByDenials[0]!.denials).toBe(
      Math.max(
        ...[...new Set(denied.map((e) => e.userId))].map(
          (u) => denied.filter((e) => e.userId === u).length,
        ),
      ),
    );
    const first = (version: string) =>
      entries
        .filter((e) => e.policyVersion === version)
        .map((e) => e.occurredAt)
        .sort()[0];
    expect(stats.policyVersions.map((v) => [v.policyVersion, v.firstSeen])).toEqual([
      ['v1', first('v1')],
      ['v2', first('v2')],
    ]);
  });
});

describe.each(backends)('the roll-up of one multi-row batch on $name', (backend) => {
  let db: Kysely<AuditLogDatabase>;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ db, close } = await backend.open());
  }, 240_000);
  afterAll(async () => {
    await close?.();
  });

  it('adds a batch whose entries share and split hours, days and keys exactly once each', async () => {
    const repository = new PostgresAuditLogEntryRepository(db);
    // One INSERT each: group commit's shape. The second lands on rows the first made, so
    // every upsert takes both its insert and its update path.
    const first = randomEntries(41, 400);
    const second = randomEntries(42, 300);
    expect((await repository.appendMany(first, { atomic: true })).error).toBeUndefined();
    expect((await repository.appendMany(second, { atomic: true })).error).toBeUndefined();
    expect(await rollUpPendingAuditStats(db)).toBe(700);
    const kept = await rollupRows(db);
    const { rows } = await sql<{ n: string | number }>`
      select sum(entries) as n from audit_stats_decisions_daily`.execute(db);
    expect(Number(rows[0]!.n)).toBe(700);
    await db.transaction().execute((trx) => rebuildAuditStats<AuditLogDatabase>(trx));
    expect(await rollupRows(db)).toEqual(kept);
    const memory = new MemoryAuditLogEntryRepository({ maxEntries: 10_000 });
    await memory.appendMany([...first, ...second]);
    for (const query of QUERIES) {
      expect(withoutEndToEnd(await new PostgresAuditStatsReader(db).stats(query))).toEqual(
        withoutEndToEnd(await new MemoryAuditStatsReader(memory).stats(query)),
      );
    }
  });
});

describe('retention and the stats roll-ups on a PostgreSQL server', () => {
  let database: TestDatabase;
  let db: Kysely<AuditLogDatabase>;

  beforeAll(async () => {
    database = await createTestDatabase();
    db = openPostgresAuditLogDatabase({ connectionString: database.url, maxConnections: 2 });
    await migrateAuditLogToLatest(db);
    const old = randomEntries(5, 200).map((e) => ({
      ...e,
      occurredAt: e.occurredAt.replace('2026-11', '2020-01'),
    }));
    await new PostgresAuditLogEntryRepository(db).appendMany([
      ...old,
      ...randomEntries(6, 200).map((e) => ({
        ...e,
        occurredAt: e.occurredAt.replace('2026-11', '2027-01'),
      })),
    ]);
  });
  afterAll(async () => {
    await db?.destroy();
    await database?.drop();
  });

  it('drops the roll-ups of a dropped partition with it and keeps the rest', async () => {
    const reader = new PostgresAuditStatsReader(db);
    const oldRange = {
      since: '2020-01-19T00:00:00Z',
      until: '2020-01-24T00:00:00Z',
      bucket: 'day',
    } as const;
    const newRange = {
      since: '2027-01-19T00:00:00Z',
      until: '2027-01-24T00:00:00Z',
      bucket: 'day',
    } as const;
    expect((await reader.stats(oldRange)).totals.allow).toBeGreaterThan(0);
    const kept = await reader.stats(newRange);
    const outcome = await applyAuditRetention(db, {
      retentionDays: 30,
      removedBy: 'test',
      key: generateAuditSigningKey().key,
      // The partitions wholly before 2027-01-30: the legacy one (up to 2027-01-01, as the
      // migration made it), which holds 2020; January's stays.
      now: new Date(Date.UTC(2027, 2, 1)),
    });
    expect(outcome.partitions.filter((p) => p.status === 'dropped').length).toBeGreaterThan(0);
    // Rolled up before the recount: what was pending of the dropped partition is not added back.
    expect(await pendingEntries(db)).toBe(0);
    expect((await reader.stats(oldRange)).totals).toEqual({ allow: 0, deny: 0, error: 0 });
    const after = await reader.stats(newRange);
    expect({ ...after, policyVersions: [] }).toEqual({ ...kept, policyVersions: [] });
    // A version is dated by its first decision still stored.
    expect(after.policyVersions.map((v) => v.firstSeen >= '2027-01-19')).toEqual([true, true]);
    const before = await rollupRows(db);
    await db.transaction().execute((trx) => rebuildAuditStats<AuditLogDatabase>(trx));
    expect(await rollupRows(db)).toEqual(before);
  });
});

describe('concurrent writers and the stats roll-ups on a PostgreSQL server', () => {
  let database: TestDatabase;
  let db: Kysely<AuditLogDatabase>;
  const sessions: pg.Client[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    db = openPostgresAuditLogDatabase({ connectionString: database.url, maxConnections: 2 });
    await migrateAuditLogToLatest(db);
  });
  afterAll(async () => {
    for (const session of sessions) await session.end();
    await db?.destroy();
    await database?.drop();
  });

  /** Two sessions whose backends add to different shards (a shard is the backend's pid % 16). */
  async function twoShards(): Promise<[pg.Client, pg.Client]> {
    const shards = new Map<number, pg.Client>();
    while (shards.size < 2) {
      const session = new pg.Client({ connectionString: database.url });
      await session.connect();
      sessions.push(session);
      const { rows } = await session.query<{ shard: number }>(
        'select pg_backend_pid() % 16 as shard',
      );
      shards.set(rows[0]!.shard, session);
    }
    const [a, b] = [...shards.values()];
    return [a!, b!];
  }

  /** An entry by SQL, as any writer may add one: the keys of every roll-up are the same. */
  const insertEntry = (session: pg.Client) =>
    session.query(
      `insert into audit_log_entries (id, decision_id, occurred_at, user_id, action, decision, reasons, policy_path, policy_version, policy_engine, input, latency_ms, gateway_instance)
       values (gen_random_uuid(), 'd', '2026-11-20T10:15:00Z', 'u', 'policy.evaluate', 'deny',
               '[{"code":"pii.email","message":"m","severity":"high"}]', 'p', 'v1', 'e', '{}', 3, 'g')`,
    );

  it("commits a writer's entry while another writer's uncommitted entry holds the same keys", async () => {
    const [first, second] = await twoShards();
    await first.query('begin');
    await insertEntry(first);
    // Had the trigger added to the roll-ups' rows, this INSERT would wait for the first to end.
    await second.query(`set lock_timeout = '3s'`);
    await insertEntry(second);
    // A roll-up meanwhile neither waits for the open transaction nor counts its entry.
    expect(await rollUpPendingAuditStats(db)).toBe(1);
    await first.query('commit');
    expect(await rollUpPendingAuditStats(db)).toBe(1);
    const { rows } = await sql<{ entries: string | number }>`
      select sum(entries) as entries from audit_stats_decisions`.execute(db);
    expect(rows.map((r) => Number(r.entries))).toEqual([2]);
    const kept = await rollupRows(db);
    await db.transaction().execute((trx) => rebuildAuditStats<AuditLogDatabase>(trx));
    expect(await rollupRows(db)).toEqual(kept);
  });
});

describe('migrations 022 and 024 on a trail with roll-ups, on a PostgreSQL server', () => {
  let database: TestDatabase;
  let db: Kysely<AuditLogDatabase>;

  beforeAll(async () => {
    database = await createTestDatabase();
    db = openPostgresAuditLogDatabase({ connectionString: database.url, maxConnections: 6 });
  });
  afterAll(async () => {
    await db?.destroy();
    await database?.drop();
  });

  it('keeps the counts through up and down, with entries written before, between and after', async () => {
    const migrator = new Migrator({ db, provider: auditLogMigrationProvider });
    expect((await migrator.migrateTo('021_create_replays')).error).toBeUndefined();
    const repository = new PostgresAuditLogEntryRepository(db);
    const memory = new MemoryAuditLogEntryRepository({ maxEntries: 10_000 });
    const write = async (entries: readonly AuditLogEntry[]) => {
      await writeConcurrently(repository, entries);
      await memory.appendMany(entries);
    };
    /**
     * The roll-ups equal a recount of the entries; on this build's schema (migration 024 on),
     * the stats read equal a scan too: this build's reader reads `audit_stats_pending`, which
     * an earlier schema does not have (`migrate` runs before the gateway serves).
     */
    const matchesScan = async () => {
      const { rows: pending } = await sql<{ found: boolean }>`
        select to_regclass('audit_stats_pending') is not null as found`.execute(db);
      if (pending[0]!.found) {
        for (const query of QUERIES) {
          expect(withoutEndToEnd(await new PostgresAuditStatsReader(db).stats(query))).toEqual(
            withoutEndToEnd(await new MemoryAuditStatsReader(memory).stats(query)),
          );
        }
        // The roll-ups hold what was rolled up: roll up the rest first.
        await rollUpPendingAuditStats(db);
      }
      const kept = await rollupRows(db);
      await db.transaction().execute((trx) => rebuildAuditStats<AuditLogDatabase>(trx));
      expect(await rollupRows(db)).toEqual(kept);
    };
    await write(randomEntries(51, 300));
    expect((await migrator.migrateTo('022_shard_audit_stats_rollups')).error).toBeUndefined();
    await write(randomEntries(52, 300));
    await matchesScan();
    expect((await migrator.migrateTo('021_create_replays')).error).toBeUndefined();
    await write(randomEntries(53, 300));
    const { rows } = await sql<{ n: string | number }>`
      select count(*) as n from information_schema.columns where column_name = 'shard'`.execute(db);
    expect(Number(rows[0]!.n)).toBe(0);
    const before = await rollupRows(db);
    expect((await migrator.migrateToLatest()).error).toBeUndefined();
    expect(await rollupRows(db)).toEqual(before);
    await matchesScan();
    // Migration 024 down with entries pending: they are rolled up before the trigger changes.
    await write(randomEntries(54, 300));
    expect(await pendingEntries(db)).toBe(300);
    expect(
      (await migrator.migrateTo('023_notify_audit_commits_after_commit')).error,
    ).toBeUndefined();
    await write(randomEntries(55, 300));
    await matchesScan();
    expect((await migrator.migrateToLatest()).error).toBeUndefined();
    await write(randomEntries(56, 300));
    await matchesScan();
  });
});
