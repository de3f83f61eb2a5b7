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
 * Each shape's line also gives the server's CPU per answer (its backend's, from /proc, which
 * the other loads of a shared machine inflate far less than wall-clock time), then p50/p95 of
 * each of the reader's six queries, so that the one that grows is named.
 *
 * BENCH_STATS_DATABASE names a database already on the server (e.g. bench_10m, the 10 M
 * entries `bench:reads` seeds and keeps, roll-ups backfilled): nothing is seeded, recounted or
 * dropped, and the shapes end at the last hour its roll-ups hold.
 *
 * Measured on 2026-12-05 at 10 M entries over 90 days (bench_10m, seeded by bench:reads:
 * ~300 busy users and 5,000 rare ones, ~410 users denied a day; roll-ups backfilled by
 * migration 019's recount in 256 s), 30 runs, load average 20-21 on the 2-core machine
 * shared with other work, so wall-clock times are inflated several times; server CPU per
 * answer beside them:
 *
 *   24 hours by hour  p50  37.7 ms  p95 179.3 ms   5.7 ms CPU
 *   7 days by day     p50  51.9 ms  p95  88.2 ms   7.0 ms CPU
 *   30 days by day    p50  52.9 ms  p95 213.1 ms   9.3 ms CPU   (target < 300 ms p95: met)
 *   30 days by hour   p50 323.9 ms  p95 509.0 ms  29.7 ms CPU   (latency bins: ~30k rows)
 *   90 days by day    p50  95.7 ms  p95 416.8 ms  19.7 ms CPU   (denials: ~37k rows)
 *
 * The reader before its rows were read ungrouped and the users ranked from daily rows, against
 * after, alternating in one run on the same database (15 rounds, load 20-23): server CPU per
 * answer 30 days by day 13.3 → 9.3 ms, 30 days by hour 112.7 → 27.3 ms (wall median 730 →
 * 403 ms), 90 days by day 15.3 → 13.3 ms. What grows with a trail's users is the ranking of
 * users by denials (a row per user denied a day): with 5,000 users denied every day a month
 * costs ~80 ms of server CPU (a probe on a synthetic roll-up), which weekly roll-ups of
 * denials would cut if a trail has that many.
 *
 * Usage: `npm run bench:stats -w libs/governance-runtime [-- entries]` (or BENCH_ENTRIES), with
 * POLICY_GATEWAY_TEST_DATABASE_URL naming the server (else an embedded one is started);
 * BENCH_STATS_RUNS (30), BENCH_STATS_DATABASE.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { AuditLogDatabase } from '../adapters/postgres/audit-log-database.js';
import { rebuildAuditStats } from '../adapters/postgres/audit-stats-rollup.js';
import { openPostgresAuditLogDatabase } from '../adapters/postgres/open-postgres-audit-log-database.js';
import { PostgresAuditStatsReader } from '../adapters/postgres/postgres-audit-stats-reader.js';
import type { AuditStatsQuery } from '../src/audit-stats-query.js';
import { createTestDatabase, TEST_DATABASE_URL_VARIABLE } from '../testing/create-test-database.js';
import { stopSharedEmbeddedTestServer } from '../testing/embedded-test-server.js';
import { migrateAuditLogToLatest } from '../testing/open-test-pglite.js';

const ENTRIES = Number(process.argv[2] ?? process.env.BENCH_ENTRIES ?? 1_000_000);
const RUNS = Number(process.env.BENCH_STATS_RUNS ?? 30);
const KEPT = process.env.BENCH_STATS_DATABASE;
const ROWS_PER_STATEMENT = 500_000;
const DAYS = 90;
const USERS = 5000;
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
/** The reader's queries, in the order it runs them. */
const QUERY_NAMES = ['decisions', 'latency', 'reasons', 'denials', 'versions', 'sources'] as const;

const ms = (value: number) => `${value.toFixed(1)} ms`;
const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');

function percentile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

const TICK_MS = 1000 / Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());
/** CPU time (user + system, ms) a process of this machine has used: the server's backend. */
function cpuMsOf(pid: number): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return undefined;
  }
}

/** Seeds `ENTRIES` entries over the 90 days before `now`, through the roll-up trigger. */
async function seed(db: Kysely<AuditLogDatabase>, now: number): Promise<void> {
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
}

/**
 * Times the Overview's shapes ending at `until` on a pool of one connection, whose backend's
 * CPU is read before and after, and each of the reader's queries by Kysely's log.
 */
async function measure(connectionString: string, until: Date): Promise<void> {
  let durations: number[] = [];
  const db = new Kysely<AuditLogDatabase>({
    dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString, max: 1 }) }),
    log: (event) => {
      if (event.level === 'query') durations.push(event.queryDurationMillis);
    },
  });
  try {
    const { rows: counts } = await sql<{ table: string; n: string }>`
      select 'audit_stats_' || t as table, (xpath('/row/n/text()', query_to_xml('select count(*) as n from audit_stats_' || t, false, true, '')))[1]::text as n
        from unnest(array['decisions', 'latency', 'reasons', 'denials', 'policy_versions', 'sources',
                          'decisions_daily', 'latency_daily', 'reasons_daily', 'denials_daily',
                          'policy_versions_daily', 'sources_daily']) as t`.execute(db);
    console.log(`roll-up rows: ${counts.map((c) => `${c.table} ${c.n}`).join(', ')}`);
    const { rows: backend } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(
      db,
    );
    const pid = backend[0]!.pid;
    const reader = new PostgresAuditStatsReader(db);
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
      `\nstats latency to ${until.toISOString()}, ${RUNS} runs each after a warm-up (load average ${load()}):`,
    );
    for (const { name, query } of shapes) {
      await reader.stats(query);
      const times: number[] = [];
      const perQuery: number[][] = QUERY_NAMES.map(() => []);
      const cpuBefore = cpuMsOf(pid);
      for (let run = 0; run < RUNS; run += 1) {
        durations = [];
        const started = performance.now();
        await reader.stats(query);
        times.push(performance.now() - started);
        for (const [i, duration] of durations.entries()) perQuery[i]?.push(duration);
      }
      const cpuAfter = cpuMsOf(pid);
      times.sort((a, b) => a - b);
      const cpu =
        cpuBefore === undefined || cpuAfter === undefined
          ? ''
          : `  server CPU ${ms((cpuAfter - cpuBefore) / RUNS)} per answer`;
      console.log(
        `  ${name.padEnd(18)} p50 ${ms(percentile(times, 0.5)).padStart(9)}  p95 ${ms(percentile(times, 0.95)).padStart(9)}${cpu}`,
      );
      console.log(
        `      ${QUERY_NAMES.map((queryName, i) => {
          const sorted = perQuery[i]!.sort((a, b) => a - b);
          return `${queryName} ${percentile(sorted, 0.5).toFixed(1)}/${percentile(sorted, 0.95).toFixed(1)}`;
        }).join(', ')} (ms, p50/p95)`,
      );
    }
    console.log(`load average after: ${load()}`);
  } finally {
    await db.destroy();
  }
}

async function main(): Promise<void> {
  if (KEPT !== undefined) {
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(KEPT)) {
      throw new Error(`BENCH_STATS_DATABASE must be a plain database name, not ${KEPT}`);
    }
    const url = new URL(
      process.env[TEST_DATABASE_URL_VARIABLE] ?? 'postgresql://postgres@127.0.0.1:5432/test',
    );
    url.pathname = `/${KEPT}`;
    const client = new pg.Client({ connectionString: url.href });
    await client.connect();
    const { rows } = await client.query<{ last: Date | null }>(
      'select max(bucket) as last from audit_stats_decisions',
    );
    await client.end();
    const last = rows[0]?.last;
    if (last === null || last === undefined) throw new Error(`${KEPT} holds no roll-ups`);
    console.log(`reading the roll-ups of ${KEPT} as they are`);
    await measure(url.href, new Date(last.getTime() + HOUR_MS));
    return;
  }
  const database = await createTestDatabase();
  const db = openPostgresAuditLogDatabase({ connectionString: database.url, maxConnections: 4 });
  try {
    await migrateAuditLogToLatest(db);
    const now = Date.now();
    await seed(db, now);
    const until = new Date(Math.ceil(now / HOUR_MS) * HOUR_MS);
    await measure(database.url, until);
    const scanStarted = performance.now();
    await sql`select decision, count(*) from audit_log_entries
      where occurred_at >= ${new Date(until.getTime() - 30 * DAY_MS).toISOString()}::timestamptz
      group by decision`.execute(db);
    console.log(
      `\nfor comparison, one scan of 30 days of entries for the decision counts alone: ${ms(performance.now() - scanStarted)}`,
    );
    const rebuildStarted = performance.now();
    await db.transaction().execute((trx) => rebuildAuditStats<AuditLogDatabase>(trx));
    console.log(
      `full recount of the roll-ups (migration 019's backfill): ${((performance.now() - rebuildStarted) / 1000).toFixed(1)} s (load average ${load()})`,
    );
  } finally {
    await db.destroy();
    await database.drop();
    await stopSharedEmbeddedTestServer();
  }
}

await main();
