/**
 * Issue 12's throughput benchmark, one run, side by side, the same load on each row: the real
 * gateway (`policy-gateway serve` as a child process, shipped policy, default settings, each
 * request logged at info) on the memory, embedded and PostgreSQL stores, with one worker
 * (`POLICY_GATEWAY_WORKERS=1`) and with all of them (the default; the embedded database stays
 * one process), and `pgbench` committing the gateway's own row, one INSERT per transaction,
 * on the same server with as many clients: into a trigger-less copy of the entries table (the
 * issue's target is read against this cheaper write) and into the entries table itself (the
 * gateway's exact write, printed beside it). For the PostgreSQL rows, decisions per commit
 * (entries per transaction that committed entries: their `xmin`) shows directly how many rows
 * share a commit, and the busy backends'
 * commonest waits (pg_stat_activity, every 50 ms) show what keeps commits apart: a row lock of
 * the stats roll-up, NOTIFY's commit lock, or the WAL flush they can share. autocannon loads
 * `POST /policy/evaluate` from another process (its connections all come from one address, so
 * the per-client limit is raised to their number). Prints decisions/s (2xx answers: decisions
 * committed), p50 and p99 per row, the
 * ratios the issue targets with PASS/FAIL, and the load average (the figures mean little on a
 * busy machine). Beside them, the CPU each decision cost: the gateway's processes (every
 * thread, PGlite included) and the PostgreSQL backends serving its database (pgbench's for
 * the pgbench row), from /proc, in µs per decision committed: on a shared 2-core machine these
 * move far less with other load than decisions/s, and the two share the cores. Then runs
 * `bench:reads`, which measures the reads at scale.
 *
 * Soak: BENCH_SOAK_SECONDS=300 loads each row that long instead and samples, every
 * BENCH_SAMPLE_SECONDS (10), each process of the gateway on its own (the primary and every
 * cluster worker): its resident memory from /proc, and its main thread's V8 heap (used) from a
 * preloaded probe (scripts/soak-probe.mjs); for the PostgreSQL rows also the private memory
 * (RssAnon) of the backends serving the gateway, summed (their VmRSS would count the shared
 * buffers they touch, which grows to shared_buffers without any leak). Each series is printed
 * with its first, largest and last value and the slope of a least-squares line over the whole
 * run and over its second half (start-up, JIT and pools settle in the first): flat memory is a
 * second-half slope near 0 MB/min. A heap in use grows between major collections without any
 * leak; BENCH_SOAK_GC=1 takes each heap sample right after a full collection (`--expose-gc`),
 * so that the series is the live heap (`heap live`), at the cost of one full collection per
 * process per sample.
 *
 * Rows side by side: every row's gateway is started first, then the rows (pgbench's too) are
 * loaded one after another in each of BENCH_ROUNDS rounds (1), the order rotated each round;
 * with several rounds each row is the median of its rounds and each target ratio is also
 * printed round by round (both rows of a ratio from the same round).
 *
 * Before / after: BENCH_AGAINST=DIR (another checkout of the repository, e.g. a `git worktree`
 * of the last commit) starts that checkout's gateway beside this one for each row (its
 * PostgreSQL rows on a database of their own, migrated by its own `migrate`) and loads
 * them in alternating rounds (BENCH_ROUNDS, 3; the order flips each round), so that both see
 * the same machine: each row's figures are then medians over the rounds, the other checkout's
 * rows are printed as `name@against`, and here / there ratios (median of the per-round ratios,
 * with their range) of decisions/s and of gateway CPU per decision follow the table.
 *
 * Usage: npm run bench -w services/policy-gateway
 *   BENCH_DURATION_SECONDS (10), BENCH_WARMUP_DECISIONS (15,000 per gateway, in 2 s loads),
 *   BENCH_WARMUP_MAX_SECONDS (40), BENCH_CONNECTIONS (32), BENCH_ROWS (all: memory-1,memory-all,
 *   embedded-1,postgres-1,postgres-all,pgbench), BENCH_ROUNDS, BENCH_SOAK_SECONDS,
 *   BENCH_SAMPLE_SECONDS, BENCH_SOAK_GC=1, BENCH_SKIP_READS=1. PostgreSQL is
 *   POLICY_GATEWAY_TEST_DATABASE_URL's server (pgbench needs it), or an embedded one when unset
 *   (then the pgbench rows are left out).
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  createTestDatabase,
  stopSharedEmbeddedTestServer,
  type TestDatabase,
} from '@policy-gateway/governance-runtime/testing';
import pg from 'pg';
import {
  type GatewayEnv,
  type GatewayProcess as RunningGatewayProcess,
  runCli,
  startGateway,
} from '../tests/support/gateway-process.js';

const duration = Number(process.env.BENCH_DURATION_SECONDS ?? 10);
const warmUpDecisions = Number(process.env.BENCH_WARMUP_DECISIONS ?? 15_000);
const warmUpMaxSeconds = Number(process.env.BENCH_WARMUP_MAX_SECONDS ?? 40);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 32);
const soakSeconds = Number(process.env.BENCH_SOAK_SECONDS ?? 0);
const sampleSeconds = Number(process.env.BENCH_SAMPLE_SECONDS ?? 10);
const soakGc = process.env.BENCH_SOAK_GC === '1';
const onlyRows = process.env.BENCH_ROWS?.split(',');
const against = process.env.BENCH_AGAINST;
const rounds = Number(process.env.BENCH_ROUNDS ?? (against === undefined ? 1 : 3));
const againstBin =
  against === undefined
    ? undefined
    : join(against, 'services/policy-gateway/bin/policy-gateway.js');
const autocannonBin = createRequire(import.meta.url).resolve('autocannon/autocannon.js');
const run = promisify(execFile);

const body = JSON.stringify({
  prompt:
    'Summarise the attached quarterly report for the board. Focus on revenue by region, the ' +
    'churn figures, and the three largest risks named by the auditors. Keep it under 200 words.',
  user_id: 'bench-user',
  context: { app: 'bench', tenant: 'acme' },
});

interface Row {
  readonly name: string;
  readonly decisionsPerSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly failed: number;
  /** CPU µs per decision of the gateway's processes, and of the database's backends. */
  readonly gatewayCpuUs?: number;
  readonly serverCpuUs?: number;
  /** PostgreSQL rows: decisions committed per transaction the database committed. */
  readonly decisionsPerCommit?: number;
  /**
   * PostgreSQL rows: what the gateway's busy backends were doing, sampled from
   * `pg_stat_activity` (count per wait event, `running` when none), summed over the rounds.
   */
  readonly waits?: Readonly<Record<string, number>>;
  /** Soak only: one series per process and figure. */
  readonly memory?: readonly MemoryTrend[];
}

/** One memory series of a soak (a process's RSS or heap, or the backends' memory). */
interface MemoryTrend {
  readonly series: string;
  readonly samples: number;
  readonly firstMb: number;
  readonly maxMb: number;
  readonly lastMb: number;
  readonly slopeMbPerMinute: number;
  /** Over the samples of the second half of the run. */
  readonly lateSlopeMbPerMinute: number;
}

interface AutocannonResult {
  /** Answers with a 2xx status: decisions made and committed. */
  '2xx': number;
  /** Seconds the load ran. */
  duration: number;
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
}

function autocannon(url: string, seconds: number): Promise<AutocannonResult> {
  return new Promise((resolve, reject) => {
    const args = [
      autocannonBin,
      '--json',
      '-c',
      String(connections),
      '-d',
      String(seconds),
      '-m',
      'POST',
      '-H',
      'content-type=application/json',
      '-b',
      body,
      `${url}/policy/evaluate`,
    ];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`autocannon exited ${code}`));
      else resolve(JSON.parse(out) as AutocannonResult);
    });
  });
}

/**
 * Warm-up: JIT, pools, PGlite caches, worker threads. By decisions answered, not by seconds:
 * V8 optimises a function after enough calls, so a gateway that answers fewer decisions a
 * second (a durable store) would otherwise be measured less warm, and its CPU per decision
 * would carry the optimising compiler's work and not-yet-optimised code. In one gateway
 * process on PostgreSQL (2026-12-06, load 10–19, 8 s windows), µs of gateway CPU per decision
 * fell from 1,773 over its first 1,700 decisions to 565 by 9,000 and 457–498 past 20,000; on
 * the memory store from 847 to 388–553 past 14,000. The old 2 s warm-up gave PostgreSQL rows
 * about a third of the memory rows' decisions.
 */
async function warmUp(url: string): Promise<void> {
  const started = Date.now();
  let answered = 0;
  while (answered < warmUpDecisions && Date.now() - started < warmUpMaxSeconds * 1000) {
    answered += (await autocannon(url, 2))['2xx'];
  }
}

/** The gateway's process and its descendants (cluster workers), from /proc. */
function processTree(root: number): number[] {
  const all = [root];
  for (let i = 0; i < all.length; i += 1) {
    const pid = all[i]!;
    for (const task of safeReaddir(`/proc/${pid}/task`)) {
      const children = safeRead(`/proc/${pid}/task/${task}/children`).trim();
      if (children !== '') all.push(...children.split(/\s+/).map(Number));
    }
  }
  return all;
}

function rssMb(pid: number): number {
  const kb = Number(/^VmRSS:\s+(\d+) kB/m.exec(safeRead(`/proc/${pid}/status`))?.[1] ?? 0);
  return kb / 1024;
}

function safeRead(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function safeReaddir(path: string): string[] {
  try {
    return readdirSync(path);
  } catch {
    return [];
  }
}

/** CPU time (user + system, every thread) of a process in µs; 0 once it has exited. */
function cpuUs(pid: number): number {
  const fields = safeRead(`/proc/${pid}/stat`).split(') ')[1]?.split(' ');
  if (fields === undefined) return 0;
  return ((Number(fields[11]) + Number(fields[12])) * 1_000_000) / CLOCK_TICKS;
}

const CLOCK_TICKS = 100;

/**
 * CPU time spent by processes while the load runs: those of `pids()` (polled, since backends
 * come and go), each counted from when it was first seen (from 0 for one started during the
 * load) to when it was last seen, so that a process that exits loses at most one interval.
 */
function sampleCpu(pids: () => Promise<readonly number[]>): { stop(): Promise<number> } {
  const first = new Map<number, number>();
  const last = new Map<number, number>();
  let started = false;
  const take = async () => {
    for (const pid of await pids().catch(() => [])) {
      const used = cpuUs(pid);
      if (used === 0) continue;
      if (!first.has(pid)) first.set(pid, started ? 0 : used);
      last.set(pid, used);
    }
    started = true;
  };
  const initial = take();
  const timer = setInterval(() => void take(), 250);
  return {
    async stop() {
      clearInterval(timer);
      await initial;
      await take();
      let total = 0;
      for (const [pid, used] of last) total += used - (first.get(pid) ?? 0);
      return total;
    },
  };
}

/**
 * The server's clock, where a load starts or ends: entries committed between two such instants
 * are the load's (`entriesPerCommit`).
 */
async function serverNow(client: pg.Client): Promise<string> {
  const { rows } = await client.query<{ now: string }>('select clock_timestamp()::text as now');
  return rows[0]!.now;
}

/**
 * Entries committed per transaction that committed entries, between `from` and `to` (the
 * server's clock): the proof that rows share commits. Each entry's transaction is its `xmin`,
 * and `inserted_at` is that transaction's start. Only transactions that wrote entries count:
 * the commit notices (a transaction of their own since migration 023), checkpoints and the
 * chain lock's are not commits of entries, and counting them (pg_stat_database's
 * xact_commit, as before) made the figure look as if fewer entries shared a commit.
 */
async function entriesPerCommit(client: pg.Client, from: string, to: string): Promise<number> {
  const { rows } = await client.query<{ entries: string; commits: string }>(
    `select count(*)::text as entries, count(distinct xmin::text)::text as commits
       from audit_log_entries where inserted_at >= $1::timestamptz and inserted_at < $2::timestamptz`,
    [from, to],
  );
  return Number(rows[0]?.entries ?? 0) / Math.max(Number(rows[0]?.commits ?? 0), 1);
}

/**
 * What the busy backends of the bench's database wait on while the load runs, every 50 ms:
 * row locks of the stats roll-up (`Lock:transactionid`), NOTIFY's database-wide commit lock
 * (`Lock:object`), the WAL flush (`IO:WALSync`, `LWLock:WALWrite`), or nothing (`running`).
 * Commits serialised by a lock cannot share a flush (bench-commit-contention.ts in the library).
 */
function sampleWaits(watched: WatchedDatabase): { stop(): Promise<Record<string, number>> } {
  const waits: Record<string, number> = {};
  let done = false;
  const sampling = (async () => {
    while (!done) {
      const { rows } = await watched.client
        .query<{ wait: string }>(
          `select coalesce(wait_event_type || ':' || wait_event, 'running') as wait
             from pg_stat_activity
            where datname = $1 and pid <> pg_backend_pid() and state = 'active'`,
          [watched.name],
        )
        .catch(() => ({ rows: [] as { wait: string }[] }));
      for (const { wait } of rows) waits[wait] = (waits[wait] ?? 0) + 1;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  return {
    async stop() {
      done = true;
      await sampling;
      return waits;
    },
  };
}

/** The three commonest waits, as shares of all samples: `Lock:transactionid 61%, …`. */
function topWaits(waits: Readonly<Record<string, number>>): string {
  const total = Object.values(waits).reduce((a, b) => a + b, 0);
  return Object.entries(waits)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([wait, n]) => `${wait} ${((100 * n) / Math.max(total, 1)).toFixed(0)}%`)
    .join(', ');
}

/** The PostgreSQL backends connected to the bench's database (the server is on this machine). */
async function backendPids(admin: pg.Client, database: string): Promise<number[]> {
  const { rows } = await admin.query<{ pid: number }>(
    'select pid from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
    [database],
  );
  return rows.map((row) => row.pid);
}

/** Private memory of a process in MB (RssAnon: its heap and stacks, not shared pages). */
function rssAnonMb(pid: number): number {
  const kb = Number(/^RssAnon:\s+(\d+) kB/m.exec(safeRead(`/proc/${pid}/status`))?.[1] ?? 0);
  return kb / 1024;
}

type Sample = readonly [minutes: number, mb: number];

/**
 * Samples, every `sampleSeconds` until `stop`, the RSS of each of the gateway's processes, the
 * summed private memory of `backends`, and reads the heap lines `probeFile` received.
 */
function sampleMemory(
  root: number,
  backends: (() => Promise<readonly number[]>) | undefined,
  probeFile: string,
): { stop(): Promise<MemoryTrend[]> } {
  const series = new Map<string, Sample[]>();
  /** What each process is: the primary, a cluster worker (node), or another child (its name). */
  const roles = new Map<number, string>();
  const roleOf = (pid: number, primary: number) => {
    let role = roles.get(pid);
    if (role === undefined) {
      const name = safeRead(`/proc/${pid}/comm`).trim();
      role = pid === primary ? 'primary' : name === 'node' ? 'worker' : `child (${name})`;
      roles.set(pid, role);
    }
    return role;
  };
  const started = Date.now();
  const add = (name: string, sample: Sample) => {
    const list = series.get(name) ?? [];
    list.push(sample);
    series.set(name, list);
  };
  const take = async () => {
    const minutes = (Date.now() - started) / 60_000;
    for (const pid of processTree(root)) {
      const mb = rssMb(pid);
      if (mb > 0) add(`${roleOf(pid, root)} ${pid} RSS`, [minutes, mb]);
    }
    if (backends !== undefined) {
      const pids = await backends().catch(() => []);
      add('backends RssAnon (sum)', [minutes, pids.reduce((sum, pid) => sum + rssAnonMb(pid), 0)]);
    }
  };
  const first = take();
  const timer = setInterval(() => void take(), sampleSeconds * 1000);
  return {
    async stop() {
      clearInterval(timer);
      await first;
      await take();
      // The probe's lines: one per process main thread per interval.
      for (const line of safeRead(probeFile).split('\n')) {
        if (line === '') continue;
        const { pid, at, heapUsed } = JSON.parse(line) as {
          pid: number;
          at: number;
          heapUsed: number;
        };
        if (at < started) continue;
        add(`${roles.get(pid) ?? 'worker'} ${pid} ${soakGc ? 'heap live' : 'heap used'}`, [
          (at - started) / 60_000,
          heapUsed / 1024 / 1024,
        ]);
      }
      return [...series]
        .filter(([, samples]) => samples.length >= 2)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, samples]) => trendOf(name, samples));
    },
  };
}

function trendOf(name: string, samples: readonly Sample[]): MemoryTrend {
  const mbs = samples.map(([, mb]) => mb);
  const half = samples[samples.length - 1]![0] / 2;
  return {
    series: name,
    samples: samples.length,
    firstMb: mbs[0]!,
    maxMb: Math.max(...mbs),
    lastMb: mbs[mbs.length - 1]!,
    slopeMbPerMinute: slope(samples),
    lateSlopeMbPerMinute: slope(samples.filter(([minutes]) => minutes >= half)),
  };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/** Least-squares slope of y over x. */
function slope(points: readonly (readonly [number, number])[]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const sxy = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
  const sxx = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  return sxx === 0 ? 0 : sxy / sxx;
}

/** A PostgreSQL row's database, watched over a connection of the bench's own. */
interface WatchedDatabase {
  readonly client: pg.Client;
  /** The database's name, whose backends serve the gateway. */
  readonly name: string;
}

/** One gateway under load: its figures for one round. */
async function loadGateway(
  name: string,
  gateway: RunningGatewayProcess,
  watched: WatchedDatabase | undefined,
): Promise<Row> {
  const backends =
    watched === undefined ? undefined : () => backendPids(watched.client, watched.name);
  const probeFile = probeFileOf(name);
  const memory =
    soakSeconds > 0 ? sampleMemory(gateway.child.pid!, backends, probeFile) : undefined;
  const loadStart = watched === undefined ? undefined : await serverNow(watched.client);
  const gatewayCpu = sampleCpu(async () => processTree(gateway.child.pid!));
  const serverCpu = backends === undefined ? undefined : sampleCpu(backends);
  const waits = watched === undefined ? undefined : sampleWaits(watched);
  const result = await autocannon(gateway.url, soakSeconds > 0 ? soakSeconds : duration);
  const decisions = Math.max(result['2xx'], 1);
  const gatewayCpuUs = (await gatewayCpu.stop()) / decisions;
  const serverCpuUs = serverCpu === undefined ? undefined : (await serverCpu.stop()) / decisions;
  // The waits' sampler first: both query on the one admin connection.
  const waited = waits === undefined ? undefined : await waits.stop();
  const decisionsPerCommit =
    loadStart === undefined || watched === undefined
      ? undefined
      : await entriesPerCommit(watched.client, loadStart, await serverNow(watched.client));
  return {
    ...(waited !== undefined && { waits: waited }),
    ...(decisionsPerCommit !== undefined && { decisionsPerCommit }),
    name,
    decisionsPerSecond: result['2xx'] / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    failed: result.non2xx + result.errors,
    gatewayCpuUs,
    ...(serverCpuUs !== undefined && { serverCpuUs }),
    ...(memory !== undefined && { memory: await memory.stop() }),
  };
}

const soakProbe = new URL('./soak-probe.mjs', import.meta.url).href;

/** Where a row's gateway processes write their heap samples during a soak. */
function probeFileOf(name: string): string {
  return join(scratch, `soak-${name.replace(/[^\w-]/g, '_')}.jsonl`);
}

/** In a soak, every process of the gateway loads the heap probe (`soak-probe.mjs`). */
function withSoakProbe(env: GatewayEnv, name: string): GatewayEnv {
  if (soakSeconds <= 0) return env;
  return {
    ...env,
    NODE_OPTIONS:
      `${process.env.NODE_OPTIONS ?? ''} ${soakGc ? '--expose-gc ' : ''}--import=${soakProbe}`.trim(),
    SOAK_PROBE_FILE: probeFileOf(name),
    SOAK_PROBE_MS: String(sampleSeconds * 1000),
    ...(soakGc && { SOAK_PROBE_GC: '1' }),
  };
}

/** The median of each figure over the rounds (failures summed). */
function medianRow(samples: readonly Row[]): Row {
  const first = samples[0]!;
  const of = (figure: (row: Row) => number | undefined) => {
    const values = samples.map(figure).filter((v): v is number => v !== undefined);
    return values.length === 0 ? undefined : median(values);
  };
  const gatewayCpuUs = of((r) => r.gatewayCpuUs);
  const serverCpuUs = of((r) => r.serverCpuUs);
  const decisionsPerCommit = of((r) => r.decisionsPerCommit);
  const waits: Record<string, number> = {};
  for (const r of samples) {
    for (const [wait, n] of Object.entries(r.waits ?? {})) waits[wait] = (waits[wait] ?? 0) + n;
  }
  return {
    ...(first.waits !== undefined && { waits }),
    ...(decisionsPerCommit !== undefined && { decisionsPerCommit }),
    name: first.name,
    decisionsPerSecond: of((r) => r.decisionsPerSecond)!,
    p50: of((r) => r.p50)!,
    p99: of((r) => r.p99)!,
    failed: samples.reduce((sum, r) => sum + r.failed, 0),
    ...(gatewayCpuUs !== undefined && { gatewayCpuUs }),
    ...(serverCpuUs !== undefined && { serverCpuUs }),
    ...(first.memory !== undefined && { memory: first.memory }),
  };
}

interface Comparison {
  readonly name: string;
  /** here / there per round, for decisions/s and for gateway CPU per decision. */
  readonly rate: readonly number[];
  readonly cpu: readonly number[];
}

const comparisons: Comparison[] = [];

/**
 * Loads this checkout's gateway (and, with BENCH_AGAINST, the other one's, started beside it)
 * for BENCH_ROUNDS rounds, alternating; returns this checkout's row and the other's.
 */
async function measureGateway(
  name: string,
  env: GatewayEnv,
  otherEnv: GatewayEnv | undefined,
  watched: WatchedDatabase | undefined,
  otherWatched: WatchedDatabase | undefined,
): Promise<Row[]> {
  const here = await startGateway(withSoakProbe(env, name));
  let there: RunningGatewayProcess | undefined;
  try {
    if (againstBin !== undefined && otherEnv !== undefined) {
      there = await startGateway(withSoakProbe(otherEnv, `${name}@against`), { bin: againstBin });
    }
    await warmUp(here.url);
    if (there !== undefined) await warmUp(there.url);
    const mine: Row[] = [];
    const theirs: Row[] = [];
    for (let round = 0; round < rounds; round += 1) {
      if (there === undefined) {
        mine.push(await loadGateway(name, here, watched));
      } else if (round % 2 === 0) {
        mine.push(await loadGateway(name, here, watched));
        theirs.push(await loadGateway(`${name}@against`, there, otherWatched));
      } else {
        theirs.push(await loadGateway(`${name}@against`, there, otherWatched));
        mine.push(await loadGateway(name, here, watched));
      }
    }
    if (theirs.length === 0) return [medianRow(mine)];
    comparisons.push({
      name,
      rate: mine.map((r, i) => r.decisionsPerSecond / theirs[i]!.decisionsPerSecond),
      cpu: mine.map((r, i) => (r.gatewayCpuUs ?? 0) / (theirs[i]!.gatewayCpuUs ?? 1)),
    });
    return [medianRow(mine), medianRow(theirs)];
  } finally {
    await Promise.all([here.kill('SIGTERM'), there?.kill('SIGTERM')]);
  }
}

/** A row's gateway, ready to start: its settings and where its database's backends are. */
interface PreparedPlan {
  readonly name: string;
  readonly env: GatewayEnv;
  readonly otherEnv: GatewayEnv | undefined;
  readonly watched: WatchedDatabase | undefined;
  /** The other checkout's database (its own: its schema may differ). */
  readonly otherWatched: WatchedDatabase | undefined;
}

/** Each row's figures of each round (interleaved runs), for per-round ratios. */
const roundRows = new Map<string, Row[]>();

/**
 * Without BENCH_AGAINST: every row's gateway is started and warmed up first, then the rows
 * (pgbench's too) are loaded one after another in each of BENCH_ROUNDS rounds, the order
 * rotated by one each round, so that all rows see the same minutes of a shared machine rather
 * than one row a quiet minute and the next a busy one. A row is the median of its rounds; the
 * target ratios are also read round by round (`roundRows`). The gateways not being loaded sit
 * idle meanwhile.
 */
async function measureInterleaved(
  plans: readonly PreparedPlan[],
  withPgbench: boolean,
): Promise<Row[]> {
  const started: { plan: PreparedPlan; gateway: RunningGatewayProcess }[] = [];
  try {
    for (const plan of plans) {
      process.stdout.write(`  starting ${plan.name}…\n`);
      started.push({ plan, gateway: await startGateway(withSoakProbe(plan.env, plan.name)) });
    }
    // Also leaves a committed row for pgbench.
    for (const { gateway } of started) await warmUp(gateway.url);
    const measures: { name: string; measure: () => Promise<Row> }[] = started.map(
      ({ plan, gateway }) => ({
        name: plan.name,
        measure: () => loadGateway(plan.name, gateway, plan.watched),
      }),
    );
    for (const target of withPgbench ? PGBENCH_TARGETS : []) {
      measures.push({
        name: pgbenchRowName(target),
        measure: () => measurePgbench(database, scratch, target),
      });
    }
    for (let round = 0; round < rounds; round += 1) {
      for (let i = 0; i < measures.length; i += 1) {
        const { name, measure } = measures[(i + round) % measures.length]!;
        process.stdout.write(`  ${rounds > 1 ? `round ${round + 1}: ` : ''}measuring ${name}…\n`);
        const row = await measure();
        roundRows.set(name, [...(roundRows.get(name) ?? []), row]);
      }
    }
    return measures.map(({ name }) => medianRow(roundRows.get(name)!));
  } finally {
    for (const { gateway } of started) await gateway.kill('SIGTERM');
  }
}

/**
 * The table pgbench inserts into. `copy` (the issue's target is read against it): a plain table
 * made `like` the entries table, with its columns, defaults and the parent's indexes, but no
 * partitions, no per-partition unique indexes (id, idempotency key, chain seq) and no triggers
 * (migration 019's roll-ups, 020's commit notice, 010's key hold): a cheaper write than the
 * gateway's. `table`: the entries table itself, so each transaction does exactly the gateway's
 * write for one row (routing, every index, the statement triggers), under a chain id of its own.
 */
type PgbenchTarget = 'copy' | 'table';

const PGBENCH_TARGETS: readonly PgbenchTarget[] = ['copy', 'table'];

function pgbenchRowName(target: PgbenchTarget): string {
  return target === 'copy' ? 'pgbench-insert' : 'pgbench-insert-entries';
}

const PGBENCH_CHAIN_ID = '00000000-0000-4000-8000-00000000b3c4';

/**
 * pgbench on the gateway's database: the row the gateway last committed, inserted again and
 * again (a new id and chain seq each time, as the unique indexes demand), one row per
 * transaction, `-M prepared`, with as many clients as the gateway's load has connections.
 */
async function measurePgbench(
  database: TestDatabase,
  scratch: string,
  target: PgbenchTarget,
): Promise<Row> {
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  const table = target === 'copy' ? 'bench_entries' : 'audit_log_entries';
  const logDir = mkdtempSync(join(scratch, `pgbench-${target}-`));
  try {
    // Made by the first round, kept for the next.
    if (target === 'copy') {
      await client.query(
        'create table if not exists bench_entries (like audit_log_entries including defaults including indexes)',
      );
    }
    await client.query(
      `create table if not exists bench_template_${target} as select * from audit_log_entries where chain_seq is not null and chain_id <> '${PGBENCH_CHAIN_ID}' limit 1`,
    );
    await client.query(`create sequence if not exists bench_seq_${target}`);
    const { rows } = await client.query<{ column_name: string }>(
      "select column_name from information_schema.columns where table_name = 'audit_log_entries' order by ordinal_position",
    );
    const columns = rows.map((r) => r.column_name);
    const values = columns.map((column) => {
      if (column === 'id') return 'gen_random_uuid()';
      if (column === 'chain_seq') return `nextval('bench_seq_${target}')`;
      if (column === 'chain_id' && target === 'table') return `'${PGBENCH_CHAIN_ID}'::uuid`;
      // As for the gateway's INSERT, which leaves it to the column's default.
      if (column === 'inserted_at') return 'now()';
      return column;
    });
    const script = join(logDir, 'insert.sql');
    writeFileSync(
      script,
      `insert into ${table} (${columns.join(', ')}) select ${values.join(', ')} from bench_template_${target};\n`,
    );
    const seconds = soakSeconds > 0 ? Math.min(soakSeconds, 60) : duration;
    const serverCpu = sampleCpu(() => backendPids(client, databaseName(database)));
    const { stdout } = await run(
      'pgbench',
      [
        '-n',
        '-M',
        'prepared',
        '-f',
        script,
        '-c',
        String(connections),
        '-j',
        '2',
        '-T',
        String(seconds),
        '-l',
        `--log-prefix=${join(logDir, 'pgbench')}`,
        database.url,
      ],
      { cwd: logDir, maxBuffer: 16 * 1024 * 1024 },
    );
    const serverCpuTotal = await serverCpu.stop();
    const tps = Number(/tps = ([\d.]+)/.exec(stdout)?.[1] ?? Number.NaN);
    const failed = Number(/number of failed transactions: (\d+)/.exec(stdout)?.[1] ?? 0);
    // Per-transaction logs: "client transaction latency_us script epoch epoch_us".
    const latencies = readdirSync(logDir)
      .filter((file) => file.startsWith('pgbench.'))
      .flatMap((file) =>
        readFileSync(join(logDir, file), 'utf8')
          .split('\n')
          .filter((line) => line !== '')
          .map((line) => Number(line.split(' ')[2]) / 1000),
      )
      .sort((a, b) => a - b);
    return {
      name: pgbenchRowName(target),
      decisionsPerSecond: tps,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      failed,
      serverCpuUs: serverCpuTotal / Math.max(latencies.length, 1),
    };
  } finally {
    await client.end();
  }
}

function databaseName(database: TestDatabase): string {
  return decodeURIComponent(new URL(database.url).pathname.slice(1));
}

function wanted(name: string): boolean {
  return onlyRows === undefined || onlyRows.includes(name);
}

const cores = availableParallelism();
const scratch = mkdtempSync(join(tmpdir(), 'pgw-bench-'));
const database = await createTestDatabase();
/**
 * The other checkout's PostgreSQL rows write to a database of their own, migrated by its own
 * `migrate`: a change of schema (a trigger, an index) is then compared too.
 */
const otherDatabase = against === undefined ? undefined : await createTestDatabase();
const otherAdmin =
  otherDatabase === undefined ? undefined : new pg.Client({ connectionString: otherDatabase.url });
await otherAdmin?.connect();
const rows: Row[] = [];
// Watches the PostgreSQL backends of the gateway's database (its own backend left out).
const admin = new pg.Client({ connectionString: database.url });
await admin.connect();
const loadBefore = loadavg();
process.stdout.write(
  `policy-gateway bench: ${connections} connections, ${soakSeconds > 0 ? `soak ${soakSeconds} s` : `${duration} s`} per row after a warm-up of ${warmUpDecisions} decisions (at most ${warmUpMaxSeconds} s)${rounds > 1 ? `, ${rounds} rounds` : ''}${against === undefined ? '' : `, alternating with ${against}`}; ${cores} cores; load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')}\n`,
);
try {
  const embeddedDir = join(scratch, 'embedded');
  const plans: { name: string; env: GatewayEnv; migrate?: boolean }[] = [
    { name: 'memory-1', env: { POLICY_GATEWAY_AUDIT_STORE_BACKEND: 'memory' } },
    { name: 'memory-all', env: { POLICY_GATEWAY_AUDIT_STORE_BACKEND: 'memory' } },
    {
      name: 'embedded-1',
      env: { POLICY_GATEWAY_AUDIT_STORE_BACKEND: 'embedded', POLICY_GATEWAY_DATA_DIR: embeddedDir },
      migrate: true,
    },
    { name: 'postgres-1', env: { POLICY_GATEWAY_DATABASE_URL: database.url }, migrate: true },
    { name: 'postgres-all', env: { POLICY_GATEWAY_DATABASE_URL: database.url }, migrate: true },
  ];
  const prepared: PreparedPlan[] = [];
  for (const plan of plans) {
    if (!wanted(plan.name)) continue;
    // Data dir for the generated signing key of every store; its own per row.
    const env: GatewayEnv = {
      POLICY_GATEWAY_DATA_DIR: join(scratch, `data-${plan.name}`),
      // autocannon is one client address standing for many clients: let it use every connection.
      POLICY_GATEWAY_EVAL_PER_CLIENT_LIMIT: String(connections),
      ...plan.env,
      POLICY_GATEWAY_WORKERS: plan.name.endsWith('-all') ? String(cores) : '1',
    };
    // The other checkout's gateway: its own data directory (signing key, embedded database).
    const otherEnv: GatewayEnv | undefined =
      againstBin === undefined || otherDatabase === undefined
        ? undefined
        : {
            ...env,
            POLICY_GATEWAY_DATA_DIR: join(scratch, `against-${plan.name}`),
            ...(env.POLICY_GATEWAY_DATABASE_URL !== undefined && {
              POLICY_GATEWAY_DATABASE_URL: otherDatabase.url,
            }),
          };
    if (plan.migrate === true) {
      const migrate = await runCli(['migrate'], env);
      if (migrate.code !== 0) throw new Error(`migrate failed for ${plan.name}: ${migrate.stderr}`);
      if (otherEnv !== undefined && againstBin !== undefined) {
        const other = await runCli(['migrate'], otherEnv, { bin: againstBin });
        if (other.code !== 0) {
          throw new Error(`migrate (BENCH_AGAINST) failed for ${plan.name}: ${other.stderr}`);
        }
      }
    }
    const watch = (of: TestDatabase | undefined, client: pg.Client | undefined) =>
      plan.name.startsWith('postgres') && of !== undefined && client !== undefined
        ? { client, name: databaseName(of) }
        : undefined;
    prepared.push({
      name: plan.name,
      env,
      otherEnv,
      watched: watch(database, admin),
      otherWatched: watch(otherDatabase, otherAdmin),
    });
  }
  let withPgbench = wanted('pgbench');
  if (withPgbench && process.env.POLICY_GATEWAY_TEST_DATABASE_URL === undefined) {
    process.stdout.write('  pgbench: left out (no POLICY_GATEWAY_TEST_DATABASE_URL server)\n');
    withPgbench = false;
  } else if (withPgbench && !prepared.some((p) => p.name.startsWith('postgres'))) {
    process.stdout.write('  pgbench: left out (it inserts a row a postgres row committed)\n');
    withPgbench = false;
  }
  if (against === undefined) {
    rows.push(...(await measureInterleaved(prepared, withPgbench)));
  } else {
    for (const plan of prepared) {
      process.stdout.write(`  measuring ${plan.name}…\n`);
      rows.push(
        ...(await measureGateway(
          plan.name,
          plan.env,
          plan.otherEnv,
          plan.watched,
          plan.otherWatched,
        )),
      );
    }
    for (const target of withPgbench ? PGBENCH_TARGETS : []) {
      process.stdout.write(`  measuring ${pgbenchRowName(target)}…\n`);
      rows.push(await measurePgbench(database, scratch, target));
    }
  }
} finally {
  await admin.end();
  await otherAdmin?.end();
  await database.drop();
  await otherDatabase?.drop();
  await stopSharedEmbeddedTestServer();
  rmSync(scratch, { recursive: true, force: true });
}

const cpu = (us: number | undefined) => (us === undefined ? '–' : us.toFixed(0)).padStart(12);
const table = rows.map(
  (r) =>
    `| ${r.name.padEnd(22)} | ${r.decisionsPerSecond.toFixed(0).padStart(11)} | ${r.p50.toFixed(1).padStart(6)} | ${r.p99.toFixed(1).padStart(6)} | ${String(r.failed).padStart(6)} | ${cpu(r.gatewayCpuUs)} | ${cpu(r.serverCpuUs)} | ${(r.decisionsPerCommit === undefined ? '–' : r.decisionsPerCommit.toFixed(1)).padStart(11)} |`,
);
process.stdout.write(
  [
    '',
    '| row                    | decisions/s | p50 ms | p99 ms | failed | gateway µs/d | backend µs/d | d/commit    |',
    '|------------------------|-------------|--------|--------|--------|--------------|--------------|-------------|',
    ...table,
    '',
    '(pgbench-insert: single-row INSERT transactions/s of the same row, same server and clients, into a',
    ' trigger-less, unpartitioned copy of the entries table; pgbench-insert-entries: the same into the',
    " entries table itself, paying every index and trigger the gateway's write pays;",
    ' µs/d: CPU time per decision committed, of the gateway (all its processes and threads) and',
    ' of the PostgreSQL backends serving its database, from /proc; d/commit: decisions committed per',
    ' transaction that committed entries: commit notices and other transactions left out)',
    '',
    ...rows
      .filter((r) => r.waits !== undefined)
      .map((r) => `${r.name}: backends waiting on ${topWaits(r.waits!)}`),
    '',
  ].join('\n'),
);

if (comparisons.length > 0) {
  const range = (values: readonly number[]) =>
    `${median(values).toFixed(2)} [${Math.min(...values).toFixed(2)}-${Math.max(...values).toFixed(2)}]`;
  process.stdout.write(`here / there (${against}), per round, median [range]:\n`);
  for (const c of comparisons) {
    process.stdout.write(
      `  ${c.name.padEnd(14)} decisions/s ${range(c.rate)}   gateway CPU per decision ${range(c.cpu)}\n`,
    );
  }
  process.stdout.write('\n');
}

const byName = new Map(rows.map((r) => [r.name, r]));
const targets: {
  label: string;
  value: number;
  /** The same ratio in each round of an interleaved run (rows of the same round). */
  perRound: readonly number[];
  target: number;
  higher: boolean;
}[] = [];
function ratio(label: string, a: string, b: string, target: number, of: 'rate' | 'p99'): void {
  const x = byName.get(a);
  const y = byName.get(b);
  if (x === undefined || y === undefined) return;
  const figure = (r: Row, s: Row) =>
    of === 'rate' ? r.decisionsPerSecond / s.decisionsPerSecond : r.p99 / Math.max(s.p99, 0.001);
  const xs = roundRows.get(a) ?? [];
  const ys = roundRows.get(b) ?? [];
  const perRound = xs.length === ys.length ? xs.map((r, i) => figure(r, ys[i]!)) : [];
  targets.push({ label, value: figure(x, y), perRound, target, higher: of === 'rate' });
}
ratio('postgres / memory, 1 worker', 'postgres-1', 'memory-1', 0.8, 'rate');
ratio('postgres / memory, all workers', 'postgres-all', 'memory-all', 0.8, 'rate');
ratio('embedded / memory, 1 worker', 'embedded-1', 'memory-1', 0.6, 'rate');
ratio('postgres (1 worker) / pgbench single-row', 'postgres-1', 'pgbench-insert', 1.5, 'rate');
ratio('postgres (all workers) / pgbench single-row', 'postgres-all', 'pgbench-insert', 1.5, 'rate');
ratio('p99 postgres / memory, 1 worker', 'postgres-1', 'memory-1', 2, 'p99');
ratio('p99 postgres / memory, all workers', 'postgres-all', 'memory-all', 2, 'p99');
ratio('p99 embedded / memory, 1 worker', 'embedded-1', 'memory-1', 2, 'p99');
const entriesRow = byName.get('pgbench-insert-entries');
for (const name of ['postgres-1', 'postgres-all']) {
  const row = byName.get(name);
  if (row === undefined || entriesRow === undefined) continue;
  process.stdout.write(
    `info  ${name} / pgbench into the entries table itself: ${(row.decisionsPerSecond / entriesRow.decisionsPerSecond).toFixed(2)}× (not a target)\n`,
  );
}
for (const t of targets) {
  const pass = t.higher ? t.value >= t.target : t.value <= t.target;
  process.stdout.write(
    `${pass ? 'PASS' : 'FAIL'}  ${t.label}: ${t.value.toFixed(2)}× (target ${t.higher ? '≥' : '≤'} ${t.target}×)${t.perRound.length > 1 ? `; per round ${t.perRound.map((v) => v.toFixed(2)).join(', ')}` : ''}\n`,
  );
}

const soaked = rows.filter((r) => r.memory !== undefined);
if (soaked.length > 0) {
  process.stdout.write(
    `\nmemory over the soak (${soakSeconds} s), each process on its own, sampled every ${sampleSeconds} s (MB; slope of a least-squares line, MB/min, over the whole run and its second half):\n`,
  );
  process.stdout.write(
    '| row                    | series                          | samples |  first |    max |   last | MB/min | 2nd half MB/min |\n',
  );
  for (const r of soaked) {
    for (const m of r.memory!) {
      process.stdout.write(
        `| ${r.name.padEnd(22)} | ${m.series.padEnd(31)} | ${String(m.samples).padStart(7)} | ${m.firstMb.toFixed(1).padStart(6)} | ${m.maxMb.toFixed(1).padStart(6)} | ${m.lastMb.toFixed(1).padStart(6)} | ${m.slopeMbPerMinute.toFixed(2).padStart(6)} | ${m.lateSlopeMbPerMinute.toFixed(2).padStart(15)} |\n`,
      );
    }
  }
}
process.stdout.write(
  `load average at the end: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}\n`,
);

const readsScript = new URL('./bench-reads.ts', import.meta.url);
if (process.env.BENCH_SKIP_READS === '1') {
  process.stdout.write('reads at scale: skipped (BENCH_SKIP_READS=1)\n');
} else if (existsSync(readsScript)) {
  process.stdout.write('\nreads at scale (bench:reads):\n');
  const reads = spawn(process.execPath, ['--import', 'tsx', readsScript.pathname], {
    stdio: 'inherit',
  });
  await new Promise((resolve) => reads.on('close', resolve));
} else {
  process.stdout.write(
    'reads at scale: run `npm run bench:reads -w services/policy-gateway` (scripts/bench-reads.ts)\n',
  );
}
