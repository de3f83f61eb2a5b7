/**
 * Stats latency on a large trail (issue 17): seeds N entries (default 1,000,000) spread evenly
 * over the last 90 days straight into `audit_log_entries` with `generate_series` (500,000 rows a
 * statement, so the roll-up trigger aggregates each statement's rows as it would a batch), then
 * times `PostgresAuditStatsReader` on the shapes the Overview asks for — 24 hours by hour, 7, 30
 * and 90 days by day, 30 days by hour (720 buckets) — and prints p50/p95 of R runs each (after
 * one warm-up). Also times the seeding (with the trigger) and a full recount of the roll-ups
 * (`rebuildAuditStats`, what migration 019's backfill does on an existing trail), and, for
 * comparison, one scan of the entries answering only the 30-day decision counts.
 *
 * Usage: `npm run bench:stats -w libs/governance-runtime [-- entries]` (or BENCH_ENTRIES), with
 * POLICY_GATEWAY_TEST_DATABASE_URL naming the server (else an embedded one is started).
 */
import { loadavg } from 'node:os';
import { sql } from 'kysely';
import type { AuditLogDatabase } from '../adapters/postgres/audit-log-database.js';
import { rebuildAuditStats } from '../adapters/postgres/audit-stats-rollup.js';
import { openPostgresAuditLogDatabase } from '../adapters/postgres/open-postgres-audit-log-database.js';
import { PostgresAuditStatsReader } from '../adapters/postgres/postgres-audit-stats-reader.js';
import type { AuditStatsQuery } from '../src/audit-stats-query.js';
import { createTestDatabase } from '../testing/create-test-database.js';
import { stopSharedEmbeddedTestServer } from '../testing/embedded-test-server.js';
import { migrateAuditLogToLatest } from '../testing/open-test-pglite.js';

const ENTRIES = Number(process.argv[2] ?? process.env.BENCH_ENTRIES ?? 1_000_000);
const RUNS = Number(process.env.BENCH_STATS_RUNS ?? 30);
const ROWS_PER_STATEMENT = 500_000;
const DAYS = 90;
const USERS = 5000;
const DAY_MS = 86_400_000;

const ms = (value: number) => `${value.toFixed(1)} ms`;

function percentile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

async function main(): Promise<void> {
  const database = await createTestDatabase();
  const db = openPostgresAuditLogDatabase({ connectionString: database.url, maxConnections: 4 });
  try {
    await migrateAuditLogToLatest(db);
    const now = Date.now();
    const start = new Date(now - DAYS * DAY_MS).toISOString();
    const step = (DAYS * DAY_MS) / ENTRIES;
    console.log(`seeding ${ENTRIES.toLocaleString('en-US')} entries over ${DAYS} days…`);
    const seedStarted = performance.now();
    for (let first = 0; first < ENTRIES; first += ROWS_PER_STATEMENT) {
      const last = Math.min(ENTRIES, first + ROWS_PER_STATEMENT) - 1;
      // Outcomes 80/15/5 %, 1 to 2 reasons of 40 codes on a denial, 5,000 users (a few denied
      // far more than the rest), a policy version a fortnight, latencies of 0.1 ms to ~200 ms.
      await sql`
        insert into audit_log_entries (id, decision_id, occurred_at, user_id, principal_id, action,
          decision, reasons, policy_path, policy_version, policy_engine, input, result, error,
          latency_ms, request_id, client_request_id, client_address, user_agent, gateway_instance,
          idempotency_key, request_digest, inserted_at)
        select gen_random_uuid(), 'bench-' || i, t, u, 'key:bench', 'policy.evaluate', d,
               case when d = 'deny' then jsonb_build_array(
                 jsonb_build_object('code', 'rule.' || (i % 40), 'message', 'bench', 'severity', 'high'),
                 jsonb_build_object('code', 'rule.' || ((i / 7) % 40), 'message', 'bench', 'severity', 'medium'))
                 else '[]'::jsonb end,
               'data.policy_gateway.decision', 'sha256:bench-' || (extract(epoch from t)::bigint / 1209600),
               'embedded', jsonb_build_object('prompt', 'p', 'user_id', u), '{}'::jsonb,
               case when d = 'error' then 'bench' end,
               0.1 + (hashint % 1000)^2 / 5000.0, null, null, '10.0.0.1', 'bench', 'bench-1',
               null, null, t + (1 + hashint % 20) * interval '1 millisecond'
          from (
            select i, ${start}::timestamptz + (i * ${step}) * interval '1 millisecond' as t,
                   abs(hashtext(i::text)) as hashint
              from generate_series(${first}::bigint, ${last}::bigint) as i
          ) as s,
          lateral (select case when hashint % 100 < 80 then 'allow' when hashint % 100 < 95 then 'deny' else 'error' end as d,
                          'user-' || case when hashint % 10 = 0 then hashint % 50 else hashint % ${USERS} end as u) as c`.execute(
        db,
      );
      process.stdout.write(`  ${(last + 1).toLocaleString('en-US')}\r`);
    }
    const seedMs = performance.now() - seedStarted;
    console.log(`seeded in ${(seedMs / 1000).toFixed(1)} s (roll-up trigger included)`);
    await sql`analyze`.execute(db);
    const { rows: counts } = await sql<{ table: string; n: string }>`
      select 'audit_stats_' || t as table, (xpath('/row/n/text()', query_to_xml('select count(*) as n from audit_stats_' || t, false, true, '')))[1]::text as n
        from unnest(array['decisions', 'latency', 'reasons', 'denials', 'policy_versions']) as t`.execute(
      db,
    );
    console.log(`roll-up rows: ${counts.map((c) => `${c.table} ${c.n}`).join(', ')}`);

    const reader = new PostgresAuditStatsReader(db);
    const until = new Date(Math.ceil(now / 3_600_000) * 3_600_000);
    const back = (days: number) => new Date(until.getTime() - days * DAY_MS).toISOString();
    const shapes: readonly { name: string; query: AuditStatsQuery }[] = [
      {
        name: '24 hours by hour',
        query: { since: back(1), until: until.toISOString(), bucket: 'hour' },
      },
      {
        name: '7 days by day',
        query: { since: back(7), until: until.toISOString(), bucket: 'day' },
      },
      {
        name: '30 days by day',
        query: { since: back(30), until: until.toISOString(), bucket: 'day' },
      },
      {
        name: '30 days by hour',
        query: { since: back(30), until: until.toISOString(), bucket: 'hour' },
      },
      {
        name: '90 days by day',
        query: { since: back(90), until: until.toISOString(), bucket: 'day' },
      },
    ];
    console.log(
      `\nstats latency, ${RUNS} runs each after a warm-up (load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}):`,
    );
    for (const { name, query } of shapes) {
      await reader.stats(query);
      const times: number[] = [];
      for (let run = 0; run < RUNS; run += 1) {
        const started = performance.now();
        await reader.stats(query);
        times.push(performance.now() - started);
      }
      times.sort((a, b) => a - b);
      console.log(
        `  ${name.padEnd(18)} p50 ${ms(percentile(times, 0.5)).padStart(9)}  p95 ${ms(percentile(times, 0.95)).padStart(9)}`,
      );
    }
    const scanStarted = performance.now();
    await sql`select decision, count(*) from audit_log_entries
      where occurred_at >= ${back(30)}::timestamptz group by decision`.execute(db);
    console.log(
      `\nfor comparison, one scan of 30 days of entries for the decision counts alone: ${ms(performance.now() - scanStarted)}`,
    );
    const rebuildStarted = performance.now();
    await db.transaction().execute((trx) => rebuildAuditStats<AuditLogDatabase>(trx));
    console.log(
      `full recount of the roll-ups (migration 019's backfill): ${((performance.now() - rebuildStarted) / 1000).toFixed(1)} s`,
    );
    console.log(
      `load average after: ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
    );
  } finally {
    await db.destroy();
    await database.drop();
    await stopSharedEmbeddedTestServer();
  }
}

await main();
