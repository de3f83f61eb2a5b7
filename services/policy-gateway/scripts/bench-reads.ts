/**
 * Reads at scale (issue 12): `GET /governance/audit` and `GET /governance/audit/{id}` over
 * BENCH_READS_ROWS entries (10 M) spread over the last 90 days, on a PostgreSQL server, through
 * a gateway listening on a real port. Prints p50 and p95 per query (target: p95 < 20 ms), then
 * the sizes of the table, its partitions and indexes, and the bytes per entry.
 *
 * The database is fresh (created on POLICY_GATEWAY_TEST_DATABASE_URL's server, or on
 * postgresql://postgres@127.0.0.1:5432/test's, and dropped after unless BENCH_KEEP=1), migrated,
 * and shaped as one that has run partitioned for months: the empty legacy partition of
 * migration 010 is narrowed to before the first month seeded, and each month has its
 * partition. Seeding is set-based (`INSERT … SELECT generate_series`), one month per statement,
 * with ids that are UUIDv7 of each entry's time, realistic sizes (prompt, reasons, result,
 * chain link), 10,000 users, 20 policies, 80 % allow / 15 % deny / 5 % error.
 *
 * Usage: npm run bench:reads -w services/policy-gateway
 *   BENCH_READS_ROWS (10000000), BENCH_READS_SAMPLES (200 per query), BENCH_KEEP (0),
 *   BENCH_READS_DATABASE (reuse an already seeded database of that name; skips seeding).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  ensureAuditPartitions,
  openPostgresAuditLogDatabase,
} from '@policy-gateway/governance-runtime/postgres';
import { type Kysely, sql } from 'kysely';
import pg from 'pg';
import pino from 'pino';
import { buildApp } from '../src/app.js';
import { loadSettings } from '../src/config/settings.js';
import { migrateToLatest } from '../src/db/migration-runner.js';
import { openAuditStore } from '../src/store/open-audit-store.js';
import { TEST_APP_SETTINGS } from '../tests/support/build-test-app.js';
import { ScriptedPolicyEngine } from '../tests/support/scripted-policy-engine.js';

const ROWS = Number(process.env.BENCH_READS_ROWS ?? 10_000_000);
const SAMPLES = Number(process.env.BENCH_READS_SAMPLES ?? 200);
const DAYS = 90;
const serverUrl = new URL(
  process.env.POLICY_GATEWAY_TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test',
);
const reuse = process.env.BENCH_READS_DATABASE;
const databaseName = reuse ?? `bench_reads_${process.pid}`;
const databaseUrl = new URL(serverUrl);
databaseUrl.pathname = `/${databaseName}`;
const silent = pino({ level: 'silent' });

function quantile(samples: readonly number[], q: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

async function admin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl.href });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** Months partitions from `first`'s up to two after now; the legacy partition ends at `first`. */
async function shapeAsRunningForMonths<DB>(db: Kysely<DB>, first: Date): Promise<void> {
  const from = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth(), 1)).toISOString();
  await sql`alter table audit_log_entries detach partition audit_log_entries_legacy`.execute(db);
  await sql`alter table audit_log_entries attach partition audit_log_entries_legacy
    for values from (minvalue) to (${sql.lit(from)})`.execute(db);
  const monthsAhead =
    (new Date().getUTCFullYear() - first.getUTCFullYear()) * 12 +
    new Date().getUTCMonth() -
    first.getUTCMonth() +
    2;
  const { failed } = await ensureAuditPartitions(db, { now: first, monthsAhead });
  if (failed.length > 0) throw failed[0]!.error;
}

/** One month's share of the rows, in one set-based INSERT. */
async function seed<DB>(db: Kysely<DB>, start: Date, end: Date): Promise<void> {
  const startMs = start.getTime();
  const stepMs = (end.getTime() - startMs) / ROWS;
  const chainId = '0190a000-0000-7000-8000-00000000c4a1';
  for (let month = new Date(start); month < end; ) {
    const next = new Date(Date.UTC(month.getUTCFullYear(), month.getUTCMonth() + 1, 1));
    const upTo = next < end ? next : end;
    const firstRow = Math.ceil((month.getTime() - startMs) / stepMs);
    const lastRow = Math.min(ROWS, Math.ceil((upTo.getTime() - startMs) / stepMs)) - 1;
    const began = performance.now();
    await sql`
      insert into audit_log_entries (id, decision_id, occurred_at, user_id, action, decision,
        reasons, policy_path, policy_version, policy_engine, input, result, error, latency_ms,
        request_id, client_request_id, client_address, user_agent, gateway_instance,
        principal_id, chain_id, chain_seq, prev_hash, entry_hash)
      select (lpad(to_hex(ms), 12, '0') || '7' || substr(h, 1, 3) || '8' || substr(h, 4, 15))::uuid,
             'dec-' || i,
             to_timestamp(ms / 1000.0),
             'user-' || (i * 7919 % 10000),
             'policy.evaluate',
             d,
             case d when 'deny' then '[{"code":"PII_DETECTED","message":"the prompt holds an e-mail address","severity":"high"}]'::jsonb else '[]'::jsonb end,
             'data.policies.p' || (i % 20) || '.decision',
             'sha256:0123456789abcdef',
             'embedded',
             jsonb_build_object('prompt', 'Summarise the quarterly report for the board, request ' || i || ', with the figures of each region and a short outlook.', 'user_id', 'user-' || (i * 7919 % 10000), 'context', jsonb_build_object('app', 'bench')),
             case d when 'error' then null else jsonb_build_object('allow', d = 'allow', 'reasons', '[]'::jsonb) end,
             case d when 'error' then 'policy evaluation timed out' else null end,
             0.4,
             'req-' || i, null, '10.0.0.' || (i % 250), 'bench-reads/1', 'bench-host:1',
             'key:bench', ${chainId}::uuid, i + 1, h || h, md5(h) || md5(h || 'x')
        from (select i, (${startMs} + i * ${stepMs})::bigint as ms, md5(i::text) as h,
                     case when i % 20 = 0 then 'error' when i % 20 < 4 then 'deny' else 'allow' end as d
                from generate_series(${firstRow}::bigint, ${lastRow}::bigint) as i) as rows`.execute(
      db,
    );
    console.log(
      `  seeded ${(lastRow - firstRow + 1).toLocaleString('en')} entries of ${month.toISOString().slice(0, 7)} in ${((performance.now() - began) / 1000).toFixed(1)} s`,
    );
    month = next;
  }
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

const end = new Date();
const start = new Date(end.getTime() - DAYS * 86_400_000);
if (reuse === undefined) {
  await admin(`create database ${databaseName}`);
}
const db = openPostgresAuditLogDatabase({ connectionString: databaseUrl.href, maxConnections: 2 });
try {
  if (reuse === undefined) {
    const migrated = await migrateToLatest(db);
    if (migrated.error !== undefined) throw migrated.error;
    await shapeAsRunningForMonths(db, start);
    console.log(
      `seeding ${ROWS.toLocaleString('en')} entries over ${DAYS} days into ${databaseName}`,
    );
    const began = performance.now();
    await sql`set synchronous_commit = off`.execute(db);
    await seed(db, start, end);
    await sql`vacuum (analyze) audit_log_entries`.execute(db);
    console.log(`seeded and analysed in ${((performance.now() - began) / 1000).toFixed(0)} s`);
  }
  const { store: storeSettings } = loadSettings({ POLICY_GATEWAY_DATABASE_URL: databaseUrl.href });
  const store = await openAuditStore(storeSettings, silent);
  const app = await buildApp({
    settings: TEST_APP_SETTINGS,
    store,
    engine: new ScriptedPolicyEngine(),
  });
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
    const deep = await get(`/governance/audit?limit=50&until=${encodeURIComponent(day(60))}`);
    const deepCursor = deep.next_cursor!;
    const { rows: sampleIds } = await sql<{ id: string }>`
      select id::text from audit_log_entries tablesample system (0.01) limit ${SAMPLES}`.execute(
      db,
    );
    let nextId = 0;
    const queries: Record<string, () => string> = {
      'first page, no filter': () => '/governance/audit?limit=50',
      'first page, user_id': () =>
        `/governance/audit?limit=50&user_id=user-${(nextId++ * 37) % 10000}`,
      'first page, decision=deny': () => '/governance/audit?limit=50&decision=deny',
      'first page, decision=error': () => '/governance/audit?limit=50&decision=error',
      'first page, policy': () =>
        `/governance/audit?limit=50&policy=data.policies.p${nextId++ % 20}.decision`,
      'first page, decision_id': () =>
        `/governance/audit?limit=50&decision_id=dec-${(nextId++ * 104729) % ROWS}`,
      'first page, since+until (1 day, 30 days ago)': () =>
        `/governance/audit?limit=50&since=${encodeURIComponent(day(31))}&until=${encodeURIComponent(day(30))}`,
      'first page, user_id + since (7 days)': () =>
        `/governance/audit?limit=50&user_id=user-${(nextId++ * 37) % 10000}&since=${encodeURIComponent(day(7))}`,
      'deep page (cursor 60 days back)': () =>
        `/governance/audit?limit=50&cursor=${encodeURIComponent(deepCursor)}`,
      'get by id': () => `/governance/audit/${sampleIds[nextId++ % sampleIds.length]!.id}`,
    };
    console.log(`\n${SAMPLES} requests per query, one at a time, over HTTP; ms`);
    console.log(`${'query'.padEnd(46)}    p50      p95`);
    for (const [name, path] of Object.entries(queries)) {
      for (let i = 0; i < 20; i += 1) await get(path());
      const samples: number[] = [];
      for (let i = 0; i < SAMPLES; i += 1) {
        const began = performance.now();
        await get(path());
        samples.push(performance.now() - began);
      }
      const p95 = quantile(samples, 0.95);
      console.log(
        `${name.padEnd(46)} ${quantile(samples, 0.5).toFixed(2).padStart(6)}  ${p95.toFixed(2).padStart(7)}${p95 < 20 ? '' : '  (over 20 ms)'}`,
      );
      await sleep(10);
    }
    await sizes(db);
  } finally {
    await app.close();
  }
} finally {
  await db.destroy();
  if (reuse === undefined && process.env.BENCH_KEEP !== '1') {
    await admin(`drop database ${databaseName}`);
  } else {
    console.log(`kept database ${databaseName} (BENCH_READS_DATABASE=${databaseName} reuses it)`);
  }
}
