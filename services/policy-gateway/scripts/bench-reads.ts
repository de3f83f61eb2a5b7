/**
 * Reads at scale (issue 12): `GET /governance/audit` and `GET /governance/audit/{id}` over
 * BENCH_READS_ROWS entries (10 M) spread over the last 90 days, on a PostgreSQL server, through
 * a gateway listening on a real port, and the repository's SQL alone beside each (the same
 * query, no HTTP). Prints p50, p95 and p99 per query shape (target: p95 < 20 ms over HTTP),
 * the load average, then the sizes of the table, its partitions and indexes, and the bytes
 * per entry. BENCH_READS_EXPLAIN=1 also prints each shape's `EXPLAIN (ANALYZE, BUFFERS)`.
 *
 * The database is created on POLICY_GATEWAY_TEST_DATABASE_URL's server (or
 * postgresql://postgres@127.0.0.1:5432/test's), migrated, and shaped as one that has run
 * partitioned for months: the empty legacy partition of migration 010 is narrowed to before
 * the first month seeded, and each month has its partition. Seeding is set-based
 * (`seed-audit-entries.ts`: one `INSERT … SELECT generate_series` per month), as a trail
 * written before the stats roll-ups, which migration 019's backfill then counts (timed). It is dropped
 * after the run unless BENCH_KEEP_DATABASE names it: then a database of that name seeded
 * with as many entries is reused as it is (seeding 10 M entries takes minutes), after
 * `migrate`'s steps (online preparation, pending migrations, partitions ahead), so that a
 * new migration is applied to the seeded table as it would be to a live one.
 *
 * On 2026-12-05, load average ~20 on the shared 2-core machine: seeding 10 M entries took
 * 2,922 s (49 min, vacuum and analyse included), the roll-ups' backfill 256.5 s in one
 * transaction; the server's CPU per query was as before (0.5-3.4 ms), HTTP p95 44-120 ms
 * wall-clock (over the 20 ms target at that load; bench_10m is kept for a calmer run).
 *
 * Usage: npm run bench:reads -w services/policy-gateway
 *   BENCH_READS_ROWS (10000000), BENCH_READS_SAMPLES (200 per query), BENCH_KEEP_DATABASE,
 *   BENCH_READS_EXPLAIN (0).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import type { AuditLogQuery } from '@policy-gateway/governance-runtime';
import {
  ensureAuditPartitions,
  openPostgresAuditLogDatabase,
  PostgresAuditLogEntryRepository,
  PreparedStatementClient,
  prepareOnlineMigrations,
  rebuildAuditStats,
} from '@policy-gateway/governance-runtime/postgres';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import pino from 'pino';
import { buildApp } from '../src/app.js';
import { loadSettings } from '../src/config/settings.js';
import { migrateToLatest } from '../src/db/migration-runner.js';
import { openAuditStore } from '../src/store/open-audit-store.js';
import { TEST_APP_SETTINGS } from '../tests/support/build-test-app.js';
import { ScriptedPolicyEngine } from '../tests/support/scripted-policy-engine.js';
import { seedAuditEntries } from './seed-audit-entries.js';

const ROWS = Number(process.env.BENCH_READS_ROWS ?? 10_000_000);
const SAMPLES = Number(process.env.BENCH_READS_SAMPLES ?? 200);
const EXPLAIN = process.env.BENCH_READS_EXPLAIN === '1';
const DAYS = 90;
const serverUrl = new URL(
  process.env.POLICY_GATEWAY_TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test',
);
const kept = process.env.BENCH_KEEP_DATABASE;
if (kept !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(kept)) {
  throw new Error(`BENCH_KEEP_DATABASE must be a plain lower-case database name, not ${kept}`);
}
const databaseName = kept ?? `bench_reads_${process.pid}`;
const databaseUrl = new URL(serverUrl);
databaseUrl.pathname = `/${databaseName}`;
const silent = pino({ level: 'silent' });

function quantile(samples: readonly number[], q: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

/**
 * CPU time (user + system, ms) a process on this machine has used so far, from /proc: the
 * server's backend of the SQL-alone connection, whose queries are measured in CPU, which the
 * other loads on a shared machine do not inflate as they do wall-clock time. Undefined when
 * the server runs elsewhere.
 */
const TICK_MS = 1000 / Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());
function cpuMsOf(pid: number): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return undefined;
  }
}

const load = () =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');

async function admin<T extends pg.QueryResultRow>(
  statement: string,
  values: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client({ connectionString: serverUrl.href });
  await client.connect();
  try {
    return (await client.query<T>(statement, values)).rows;
  } finally {
    await client.end();
  }
}

/** What a kept database's comment says it holds, e.g. `bench:reads 10000000 entries to 2026-12-05T11:00:00.000Z`. */
function seededMark(rows: number, end: Date): string {
  return `bench:reads ${rows} entries to ${end.toISOString()}`;
}

/**
 * The end of the 90 days a kept database holds, or undefined when it must be (re)created:
 * it does not exist, holds another number of entries, or its seeding did not finish.
 */
async function keptSeedEnd(name: string): Promise<Date | undefined> {
  const rows = await admin<{ mark: string | null }>(
    "select shobj_description(oid, 'pg_database') as mark from pg_database where datname = $1",
    [name],
  );
  if (rows.length === 0) return undefined;
  const match = /^bench:reads (\d+) entries to (\S+)$/.exec(rows[0]!.mark ?? '');
  if (match !== null && Number(match[1]) === ROWS) return new Date(match[2]!);
  console.log(`database ${name} is not a finished seeding of ${ROWS} entries: seeding it again`);
  await admin(`drop database ${name}`);
  return undefined;
}

/** Months partitions from `first`'s up to two after now; the legacy partition ends at `first`. */
async function shapeAsRunningForMonths<DB>(db: Kysely<DB>, first: Date): Promise<void> {
  const from = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth(), 1)).toISOString();
  await sql`alter table audit_log_entries detach partition audit_log_entries_legacy`.execute(db);
  await sql`alter table audit_log_entries attach partition audit_log_entries_legacy
    for values from (minvalue) to (${sql.lit(from)})`.execute(db);
  const ahead =
    (new Date().getUTCFullYear() - first.getUTCFullYear()) * 12 +
    new Date().getUTCMonth() -
    first.getUTCMonth() +
    2;
  const { failed } = await ensureAuditPartitions(db, { now: first, ahead });
  if (failed.length > 0) throw failed[0]!.error;
}

async function sizes<DB>(db: Kysely<DB>): Promise<void> {
  const { rows } = await sql<{
    name: string;
    rows: string;
    heap: string;
    indexes: string;
    total: string;
  }>`
    select c.relname as name, c.reltuples::bigint::text as rows,
           pg_size_pretty(pg_table_size(c.oid)) as heap,
           pg_size_pretty(pg_indexes_size(c.oid)) as indexes,
           pg_size_pretty(pg_total_relation_size(c.oid)) as total
      from pg_inherits i join pg_class c on c.oid = i.inhrelid
     where i.inhparent = 'audit_log_entries'::regclass order by c.relname`.execute(db);
  console.log('\npartition                      rows (est.)    heap+toast   indexes      total');
  for (const row of rows) {
    console.log(
      `${row.name.padEnd(30)} ${row.rows.padStart(11)}  ${row.heap.padStart(11)}  ${row.indexes.padStart(11)}  ${row.total.padStart(11)}`,
    );
  }
  const { rows: totals } = await sql<{ heap: string; indexes: string; n: string }>`
    select sum(pg_table_size(inhrelid))::text as heap, sum(pg_indexes_size(inhrelid))::text as indexes,
           (select count(*) from audit_log_entries)::text as n
      from pg_inherits where inhparent = 'audit_log_entries'::regclass`.execute(db);
  const { heap, indexes, n } = totals[0]!;
  const perEntry = (bytes: string) => (Number(bytes) / Number(n)).toFixed(0);
  console.log(
    `\n${Number(n).toLocaleString('en')} entries: heap+toast ${perEntry(heap)} B/entry, indexes ${perEntry(indexes)} B/entry, total ${perEntry(String(Number(heap) + Number(indexes)))} B/entry`,
  );
  const { rows: byIndex } = await sql<{ index: string; bytes: string }>`
    select regexp_replace(c.relname, '^audit_log_entries_(y\\d{4}m\\d{2}|legacy|default)_', '') as index,
           sum(pg_relation_size(c.oid))::text as bytes
      from pg_inherits i join pg_index x on x.indrelid = i.inhrelid join pg_class c on c.oid = x.indexrelid
     where i.inhparent = 'audit_log_entries'::regclass group by 1 order by 1`.execute(db);
  for (const row of byIndex) {
    console.log(`  index ${row.index.padEnd(36)} ${perEntry(row.bytes).padStart(5)} B/entry`);
  }
}

/**
 * Counts the seeded entries into migration 019's roll-ups when they hold none (a fresh
 * seeding, or one interrupted before its backfill committed): `rebuildAuditStats` in one
 * transaction, what the migration runs on an existing trail while writers wait.
 */
async function backfillStatsRollups<DB>(db: Kysely<DB>): Promise<void> {
  const { rows } = await sql<{ counted: boolean }>`
    select exists (select 1 from audit_stats_decisions) as counted`.execute(db);
  if (rows[0]!.counted) return;
  console.log(`counting the entries into the stats roll-ups (load average ${load()})`);
  const began = performance.now();
  await db.transaction().execute((trx) => rebuildAuditStats(trx));
  await sql`analyze`.execute(db);
  console.log(
    `roll-ups backfilled in ${((performance.now() - began) / 1000).toFixed(1)} s (load average ${load()})`,
  );
}

/** The plan and timing of `statement`, summarised: execution time and buffers read. */
async function explain(ran: { sql: string; parameters: readonly unknown[] }) {
  const client = new pg.Client({ connectionString: databaseUrl.href });
  await client.connect();
  try {
    const { rows } = await client.query<{ 'QUERY PLAN': string }>(
      `explain (analyze, buffers, costs off) ${ran.sql}`,
      [...ran.parameters],
    );
    return rows.map((row) => row['QUERY PLAN']).join('\n');
  } finally {
    await client.end();
  }
}

const keptEnd = kept === undefined ? undefined : await keptSeedEnd(kept);
const end = keptEnd ?? new Date();
const start = new Date(end.getTime() - DAYS * 86_400_000);
if (keptEnd === undefined) await admin(`create database ${databaseName}`);
const db = openPostgresAuditLogDatabase({ connectionString: databaseUrl.href, maxConnections: 2 });
try {
  if (keptEnd === undefined) {
    const migrated = await migrateToLatest(db);
    if (migrated.error !== undefined) throw migrated.error;
    await shapeAsRunningForMonths(db, start);
    console.log(
      `seeding ${ROWS.toLocaleString('en')} entries over ${DAYS} days into ${databaseName} (load average ${load()})`,
    );
    const began = performance.now();
    // Seeded as a trail written before migration 019: on one connection whose replica role
    // leaves the roll-up trigger out (it would aggregate each month's millions of rows from
    // its transition table), then counted by 019's backfill below, set-based, as `migrate`
    // counts an existing trail.
    await db.connection().execute(async (connection) => {
      await sql`set synchronous_commit = off`.execute(connection);
      await sql`set session_replication_role = replica`.execute(connection);
      await seedAuditEntries(connection, { rows: ROWS, start, end, log: console.log });
      await sql`reset session_replication_role`.execute(connection);
    });
    await sql`vacuum (analyze) audit_log_entries`.execute(db);
    console.log(`seeded and analysed in ${((performance.now() - began) / 1000).toFixed(0)} s`);
    if (kept !== undefined)
      await admin(`comment on database ${kept} is '${seededMark(ROWS, end)}'`);
  } else {
    // As \`policy-gateway migrate\` does: a migration newer than the seeding meets a full table.
    const began = performance.now();
    await prepareOnlineMigrations(db);
    const migrated = await migrateToLatest(db);
    if (migrated.error !== undefined) throw migrated.error;
    await ensureAuditPartitions(db);
    const applied = migrated.results.map((result) => result.migrationName);
    console.log(
      `reusing ${databaseName} (${ROWS.toLocaleString('en')} entries to ${end.toISOString()})` +
        (applied.length === 0
          ? ''
          : `; applied ${applied.join(', ')} in ${((performance.now() - began) / 1000).toFixed(1)} s`),
    );
  }
  await backfillStatsRollups(db);
  const { store: storeSettings } = loadSettings({ POLICY_GATEWAY_DATABASE_URL: databaseUrl.href });
  const store = await openAuditStore(storeSettings, silent);
  const app = await buildApp({
    settings: TEST_APP_SETTINGS,
    store,
    engine: new ScriptedPolicyEngine(),
  });
  // The repository's SQL alone, on a pool of its own (prepared as the gateway's), with the
  // statement it ran kept for EXPLAIN.
  let lastQuery: { sql: string; parameters: readonly unknown[] } | undefined;
  const sqlDb = new Kysely({
    dialect: new PostgresDialect({
      pool: new pg.Pool({
        connectionString: databaseUrl.href,
        max: 1,
        Client: PreparedStatementClient,
      }),
    }),
    log: (event) => {
      if (event.level === 'query') {
        lastQuery = { sql: event.query.sql, parameters: event.query.parameters };
      }
    },
  });
  const repository = new PostgresAuditLogEntryRepository(sqlDb as never);
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  try {
    const get = async (
      path: string,
    ): Promise<{ entries: { id: string }[]; next_cursor: string | null }> => {
      const response = await fetch(`${base}${path}`);
      if (response.status !== 200)
        throw new Error(`${path} answered ${response.status}: ${await response.text()}`);
      return (await response.json()) as { entries: { id: string }[]; next_cursor: string | null };
    };
    const day = (daysAgo: number) => new Date(end.getTime() - daysAgo * 86_400_000).toISOString();
    const deepUntil = day(60);
    const deepHttp = await get(`/governance/audit?limit=50&until=${encodeURIComponent(deepUntil)}`);
    const deepSql = await repository.query({ limit: 50, until: deepUntil });
    const deepCursor = { http: deepHttp.next_cursor!, sql: deepSql.nextCursor! };
    const { rows: samples } = await sql<{ id: string; decisionId: string }>`
      select id::text, decision_id as "decisionId"
        from audit_log_entries tablesample system (${Math.min(100, (SAMPLES * 1000) / ROWS)})
       limit ${SAMPLES}`.execute(db);
    let n = 0;
    const pick = () => samples[n++ % samples.length]!;
    const user = () => `user-${(n++ * 37) % 300}`;
    // Each shape as an HTTP path and as the repository query the route makes of it.
    type Shape = () => { path: string; query: AuditLogQuery | { id: string } };
    const filtered = (params: Record<string, string>, query: Omit<AuditLogQuery, 'limit'>) => ({
      path: `/governance/audit?${new URLSearchParams({ limit: '50', ...params })}`,
      query: { ...query, limit: 50, maxBytes: TEST_APP_SETTINGS.auditPageMaxBytes },
    });
    const shapes: Record<string, Shape> = {
      'first page, no filter': () => filtered({}, {}),
      'first page, user_id (busy)': () => {
        const u = user();
        return filtered({ user_id: u }, { userId: u });
      },
      'first page, user_id (rare)': () => {
        const u = `rare-${(n++ * 7) % 5000}`;
        return filtered({ user_id: u }, { userId: u });
      },
      'first page, decision=deny': () => filtered({ decision: 'deny' }, { decision: 'deny' }),
      'first page, decision=error': () => filtered({ decision: 'error' }, { decision: 'error' }),
      'first page, policy (rare)': () => {
        const p = 'data.policies.research.decision';
        return filtered({ policy: p }, { policyPath: p });
      },
      'first page, decision_id': () => {
        const d = pick().decisionId;
        return filtered({ decision_id: d }, { decisionId: d });
      },
      'first page, action=opa.data': () => filtered({ action: 'opa.data' }, { action: 'opa.data' }),
      'first page, gateway_instance=opa-1': () =>
        filtered({ gateway_instance: 'opa-1' }, { gatewayInstance: 'opa-1' }),
      'first page, since+until (1 day, 30 days ago)': () =>
        filtered({ since: day(31), until: day(30) }, { since: day(31), until: day(30) }),
      'first page, user_id + since (7 days)': () => {
        const u = user();
        return filtered({ user_id: u, since: day(7) }, { userId: u, since: day(7) });
      },
      'deep page (cursor 60 days back)': () => ({
        path: `/governance/audit?limit=50&cursor=${encodeURIComponent(deepCursor.http)}`,
        query: {
          limit: 50,
          maxBytes: TEST_APP_SETTINGS.auditPageMaxBytes,
          cursor: deepCursor.sql,
        },
      }),
      'get by id': () => {
        const { id } = pick();
        return { path: `/governance/audit/${id}`, query: { id } };
      },
    };
    const viaSql = async (query: AuditLogQuery | { id: string }) => {
      if ('id' in query) await repository.findById(query.id);
      else await repository.query(query);
    };
    console.log(
      `\n${SAMPLES} requests per query shape, one at a time, alternating HTTP and SQL alone: wall-clock ms, then CPU ms per query of the server's backend (SQL alone) and of the gateway process with its HTTP client (per request); load average ${load()}`,
    );
    console.log(
      `${'query shape'.padEnd(44)}   HTTP p50    p95    p99   |  SQL p50    p95    p99   | CPU: server gateway`,
    );
    const fmt = (value: number) => value.toFixed(2).padStart(6);
    for (const [name, shape] of Object.entries(shapes)) {
      for (let i = 0; i < 20; i += 1) {
        const { path, query } = shape();
        await get(path);
        await viaSql(query);
      }
      const http: number[] = [];
      const alone: number[] = [];
      const { rows: backend } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(
        sqlDb,
      );
      const pid = backend[0]!.pid;
      const cpuBefore = cpuMsOf(pid);
      const gatewayBefore = process.cpuUsage();
      for (let i = 0; i < SAMPLES; i += 1) {
        const { path, query } = shape();
        let began = performance.now();
        await get(path);
        http.push(performance.now() - began);
        began = performance.now();
        await viaSql(query);
        alone.push(performance.now() - began);
      }
      const cpuAfter = cpuMsOf(pid);
      const gateway = process.cpuUsage(gatewayBefore);
      const serverCpu =
        cpuBefore === undefined || cpuAfter === undefined
          ? '     –'
          : fmt((cpuAfter - cpuBefore) / SAMPLES);
      const p95 = quantile(http, 0.95);
      console.log(
        `${name.padEnd(44)}  ${fmt(quantile(http, 0.5))} ${fmt(p95)} ${fmt(quantile(http, 0.99))}   | ${fmt(quantile(alone, 0.5))} ${fmt(quantile(alone, 0.95))} ${fmt(quantile(alone, 0.99))}   | ${serverCpu}  ${fmt((gateway.user + gateway.system) / 1000 / SAMPLES)}${p95 < 20 ? '' : '  (over 20 ms)'}`,
      );
      if (EXPLAIN) {
        await viaSql(shape().query);
        console.log(`${(await explain(lastQuery!)).replace(/^/gm, '    ')}\n`);
      }
    }
    console.log(`load average after: ${load()}`);
    await sizes(db);
  } finally {
    await app.close();
    await sqlDb.destroy();
  }
} finally {
  await db.destroy();
  if (kept === undefined) await admin(`drop database ${databaseName}`);
  else console.log(`kept database ${databaseName} (BENCH_KEEP_DATABASE=${databaseName} reuses it)`);
}
