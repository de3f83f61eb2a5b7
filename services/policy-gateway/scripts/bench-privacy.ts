/**
 * What privacy in the audit trail (issue 13) costs per decision: decisions per second through
 * `POST /policy/evaluate` with masking and sealing on (redaction of the spans the policy
 * reports, the shipped mask policy, the original sealed with AES-256-GCM under the subject's
 * data key) and with both off, side by side in one run on the same store: memory and a
 * PostgreSQL server (a fresh database on POLICY_GATEWAY_TEST_DATABASE_URL's server, or an
 * embedded one when unset). The app runs in this process with its write path as `serve`
 * composes it (`openAuditStore` with the hash chain, then `withAuditPrivacy`) and the shipped
 * bundle on the embedded Rego engine; autocannon loads it from another process with a prompt
 * that holds a card number and an e-mail address, so that every decision is masked and sealed.
 * A third configuration, `on (mask on main)`, is masking and sealing as they were before the
 * mask policy moved onto the evaluation thread: the engine does not evaluate the mask with the
 * decision and the write path evaluates the bundle's mask policy in-process on the main thread.
 * Every configuration runs in its own process of this script (one store and one engine for the
 * whole run, as `serve` keeps them) and all are loaded at the same time, each by its own
 * autocannon, in warm-up rounds until each answers a steady flow, then BENCH_ROUNDS counted
 * rounds. Printed per configuration: the median of decisions/s, its ratio to off's, the median
 * of each round's own ratio to off (with its range), the CPU time of its process (all threads)
 * per decision and of its main thread alone (Linux), and its main thread's garbage collection
 * (pause time per decision, and how many collections were full mark-compacts), with the load
 * average.
 *
 * Why at the same time: on this shared 2-core machine (load 15-25 from other work) decisions/s of
 * rounds run one after another, seconds apart, differed up to twenty-fold (0 to 762), so that a
 * ratio of them said nothing about a 15% target. Loaded together, the configurations share the
 * same seconds of the same machine, and their ratio is what one costs against the other.
 *
 * How the target (under 15% fewer decisions/s with privacy on) is judged: per store, on
 * that store's `off` and `on` loaded alone (BENCH_BACKENDS=postgres, then memory;
 * BENCH_MODES=off,on), over several runs, by the median of each round's own ratio. Alone, a
 * pair has the machine as one deployment would. With the other store's pair loaded beside it
 * (the default run, a quick look at both), every gateway is less saturated and a gap shows
 * less: on 2026-12-07, before that day's changes, PostgreSQL's pair read 0.83-0.91 in default
 * runs and 0.79-0.88 alone. CPU per decision is printed beside it: it is what privacy costs per
 * core, which a fleet of CPU-bound gateways (one process per core, the database elsewhere) would
 * feel as 1/(on's CPU ratio) of off's decisions/s, a larger loss than this bench shows, where
 * the database and the load share the machine with both configurations.
 *
 * Why one engine per configuration for the whole run: when every round started its own
 * evaluation thread, a round counted that thread's compilation (the detectors' patterns compile
 * on first use: seconds at load 20) over however few decisions it managed, so a round that drew
 * a busy minute showed both fewer decisions/s and more CPU per decision. That is how `on` once
 * read 805 µs against 646 µs for `on (mask on main)` and 0.394 times off's decisions/s.
 * Evaluating the mask beside the decision costs the evaluation thread about 6-12 µs per
 * decision (the mask query alone, in process: 6 µs), and saves the main thread the 4-5 µs of
 * evaluating it there.
 *
 * What `on` costs more on the memory store was once put down to collecting an old space that
 * grows with every entry kept (now with a masked input and a sealed original each). Measured
 * (load ~15-25, so pauses are inflated): the main thread's collections in a round of 3,000
 * decisions are all scavenges, on and off (`--trace-gc`: no mark-compact), about 1.5 times as
 * many with `on`, and as many with the store bounded to 1,000 entries
 * (BENCH_MEMORY_MAX_ENTRIES=1000) as to 1,000,000: `on` adds allocation and work per decision
 * on the main thread, not retention.
 *
 * Where `on`'s main thread still pays (BENCH_CPU_PROFILE_DIR, memory store, load 14): the
 * evaluation thread now also masks the entry (redaction, the mask rules, the masked copy and
 * the original's JSON text: `decided-masking.ts`), which took 6-17 µs of the main thread's
 * time per entry at load 10 (`MaskingAuditLog.mask` in process: 8-11 µs with the thread's
 * parts, 18-25 µs masking there). Sealing then took 4.6% of the `on` main thread's busy time
 * (`sealJson` with `createCipheriv` and its IV set-up; the whole masking step 5.9%, load 4-5),
 * hashing and storing the larger entry 7.6% (the chain's append, 5.2% off). Sealing on the
 * evaluation thread instead (201c426: the thread lent the subject's remembered data key) was
 * reverted: measured beside this code (BENCH_BASELINE_DIR, two runs at load 2-10) it cost more
 * CPU per decision in all (on/off 1.51 and 1.56 against 1.31 and 1.18) and answered no more
 * decisions/s (memory on/off 0.753 and 0.818 against 0.747 and 0.885).
 *
 * Since then the main thread seals the originals of a turn together (`original-sealer.ts`): one
 * seal between two decisions had run cold, about 42 µs of which 16 in `createCipheriv`, against
 * about 8 µs each in a row. Run alternately with the code before (two runs each, load 4-5), the
 * memory store's on/off went 0.754 and 0.747 -> 0.992 and 1.046, PostgreSQL's 0.758 -> 0.807.
 *
 * With BENCH_BASELINE_DIR (another checkout's services/policy-gateway, e.g. a worktree of an
 * earlier commit), its `off` and `on` are served too, by its own copy of this script, and loaded
 * in the same rounds as this tree's: a before/after comparison in the same seconds. Each
 * configuration's ratios are to the `off` of its own tree.
 *
 * Usage: npm run bench:privacy -w services/policy-gateway
 *   BENCH_DURATION_SECONDS (5 per round), BENCH_WARMUP_SECONDS (2 per warm-up round),
 *   BENCH_WARMUP_DECISIONS (15,000 per configuration), BENCH_WARMUP_MAX_SECONDS (40),
 *   BENCH_ROUNDS (3), BENCH_CONNECTIONS (32),
 *   BENCH_BACKENDS (memory,postgres), BENCH_MODES (off,on (mask on main),on),
 *   BENCH_MEMORY_MAX_ENTRIES (1000000: the memory store's bound),
 *   BENCH_CPU_PROFILE_DIR (unset: where to write each configuration's main-thread CPU profile),
 *   BENCH_BASELINE_DIR (unset: a checkout whose `off` and `on` to load beside this tree's),
 *   BENCH_COMPILED (unset: 1 serves each configuration from its script compiled as the gateway
 *   ships, see compile-bench-as-shipped.ts, rather than under tsx).
 */
import { fork, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { constants, type PerformanceEntry, PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { loadAuditSigningKey } from '@policy-gateway/governance-runtime';
import {
  createTestDatabase,
  stopSharedEmbeddedTestServer,
  type TestDatabase,
} from '@policy-gateway/governance-runtime/testing';
import pino from 'pino';
import { buildApp } from '../src/app.js';
import { SETTING_DECLARATIONS } from '../src/config/setting-declarations.js';
import type { Settings, StoreSettings } from '../src/config/settings.js';
import {
  createPolicyEngine,
  DEFAULT_POLICY_BUNDLE_DIR,
  DEFAULT_POLICY_PATH,
} from '../src/policy/create-policy-engine.js';
import { withAuditPrivacy } from '../src/privacy/audit-privacy.js';
import { FileKeyEncryptionKey } from '../src/privacy/key-encryption-key.js';
import { openAuditStore } from '../src/store/open-audit-store.js';
import { TEST_APP_SETTINGS } from '../tests/support/build-test-app.js';
import { runCli } from '../tests/support/gateway-process.js';
import { compileBenchAsShipped } from './compile-bench-as-shipped.js';

const duration = Number(process.env.BENCH_DURATION_SECONDS ?? 5);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 32);
const warmUp = Number(process.env.BENCH_WARMUP_SECONDS ?? 2);
/**
 * Decisions each configuration answers in warm-up rounds before rounds are counted: V8 needs
 * thousands of decisions to optimise the route, the chain and the engine (a 2 s warm-up left
 * rates rising through the counted rounds), bounded by BENCH_WARMUP_MAX_SECONDS.
 */
const warmUpDecisions = Number(process.env.BENCH_WARMUP_DECISIONS ?? 15_000);
const warmUpMaxSeconds = Number(process.env.BENCH_WARMUP_MAX_SECONDS ?? 40);
const memoryMaxEntries = Number(process.env.BENCH_MEMORY_MAX_ENTRIES ?? 1_000_000);
const autocannonBin = createRequire(import.meta.url).resolve('autocannon/autocannon.js');
const silent = pino({ level: 'silent' });
const body = JSON.stringify({
  prompt:
    'Please refund order 1182 to card 4111 1111 1111 1111 and send the receipt to jane.doe@example.com, thanks.',
  user_id: 'bench-user',
});

interface Load {
  readonly rps: number;
  readonly total: number;
  readonly non2xx: number;
  readonly errors: number;
}

function autocannon(url: string, seconds = duration): Promise<Load> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
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
      ],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`autocannon exited ${code}`));
      const result = JSON.parse(out) as {
        requests: { average: number; total: number };
        non2xx: number;
        errors: number;
      };
      resolve({
        rps: result.requests.average,
        total: result.requests.total,
        non2xx: result.non2xx,
        errors: result.errors,
      });
    });
  });
}

/**
 * Decisions per second; CPU time of this process (all its threads) and the main thread's
 * garbage-collection pauses per decision in µs; the main thread's full collections.
 */
interface Round {
  readonly rps: number;
  readonly cpuUs: number;
  /** The main thread's share of `cpuUs` (NaN where /proc does not say). */
  readonly mainUs: number;
  readonly gcUs: number;
  readonly markCompacts: number;
}

type Mode = 'off' | 'on (mask on main)' | 'on';
const ALL_MODES: readonly Mode[] = ['off', 'on (mask on main)', 'on'];
const MODES = ALL_MODES.filter(
  (mode) => mode === 'off' || (process.env.BENCH_MODES?.split(',').includes(mode) ?? true),
);
/** A checkout of this service whose `off` and `on` are loaded beside this tree's. */
const baselineDir = process.env.BENCH_BASELINE_DIR;

/** One configuration: a mode of this tree's or of the baseline's. */
interface Configuration {
  readonly mode: Mode;
  readonly baseline: boolean;
}

const labelOf = ({ mode, baseline }: Configuration) => (baseline ? `${mode} (base)` : mode);
const CONFIGURATIONS: readonly Configuration[] = [
  ...MODES.map((mode) => ({ mode, baseline: false })),
  ...(baselineDir === undefined
    ? []
    : (['off', 'on'] as const).map((mode) => ({ mode, baseline: true }))),
];

/**
 * CPU time of the main thread alone in µs, from Linux's per-thread accounting (clock ticks of
 * 10 ms: fine over a round of thousands of decisions); NaN elsewhere. The main thread parses,
 * masks, seals, chains and stores every decision on the memory store: its CPU per decision bounds
 * decisions/s, while the evaluation thread's (and the collector's helper threads') is the rest.
 */
function mainThreadCpuUs(): number {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1_000_000) / 100;
  } catch {
    return Number.NaN;
  }
}

/** The main thread's collections, as `perf_hooks` reports them. */
const collections = { pauseMs: 0, markCompacts: 0 };
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    collections.pauseMs += entry.duration;
    const { detail } = entry as PerformanceEntry & { detail?: { kind?: number } };
    if (detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) collections.markCompacts += 1;
  }
}).observe({ entryTypes: ['gc'] });

/** What one configuration's process measured over a window: its CPU and collections. */
interface Usage {
  readonly cpuUs: number;
  readonly mainUs: number;
  readonly gcPauseMs: number;
  readonly markCompacts: number;
}

/**
 * Serves one configuration in this process until told to close, as `serve` composes it: one
 * store and one engine for the whole run, the engine evaluating each decision's mask for `on`
 * and the write path asking it for entries decided without one.
 */
async function serve(store: StoreSettings, mode: Mode, dataDir: string) {
  const privacy = mode === 'off' ? 'off' : 'on';
  const maskWithDecision = mode === 'on';
  const settings: Pick<Settings, 'privacy' | 'dataDir' | 'store'> & {
    policy: { bundleDir: string };
  } = {
    store,
    dataDir,
    policy: { bundleDir: DEFAULT_POLICY_BUNDLE_DIR },
    privacy: {
      masking: privacy,
      sealOriginals: privacy,
      kekFile: undefined,
      userIds: 'plain',
      hmacKeyFile: undefined,
      subjectKeys: undefined,
    },
  };
  const opened = await withAuditPrivacy(
    await openAuditStore(store, silent, {
      signingKey: loadAuditSigningKey({ dataDir }),
      instance: 'bench',
      checkpointEveryEntries: 1000,
      checkpointIntervalMs: 60_000,
    }),
    settings,
    silent,
  );
  const engine = await createPolicyEngine({
    bundleDir: DEFAULT_POLICY_BUNDLE_DIR,
    policyPath: DEFAULT_POLICY_PATH,
    opaTimeoutMs: 2_000,
    workers: SETTING_DECLARATIONS.evaluation.workers.default,
    decisionLogMask: maskWithDecision,
  });
  if (maskWithDecision) opened.privacy?.maskPolicy?.follow(engine);
  const app = await buildApp({
    settings: { ...TEST_APP_SETTINGS, maxPromptBytes: 65_536 },
    store: opened,
    engine,
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  await startCpuProfile();
  let since = { cpu: process.cpuUsage(), main: mainThreadCpuUs(), gc: { ...collections } };
  process.on('message', async (message: 'start' | 'end' | 'close') => {
    if (message === 'start') {
      since = { cpu: process.cpuUsage(), main: mainThreadCpuUs(), gc: { ...collections } };
      process.send?.({ started: true });
    } else if (message === 'end') {
      const cpu = process.cpuUsage(since.cpu);
      const usage: Usage = {
        cpuUs: cpu.user + cpu.system,
        mainUs: mainThreadCpuUs() - since.main,
        gcPauseMs: collections.pauseMs - since.gc.pauseMs,
        markCompacts: collections.markCompacts - since.gc.markCompacts,
      };
      process.send?.(usage);
    } else {
      await app.close();
      await writeCpuProfile(mode);
      process.send?.({ closed: true }, () => process.disconnect());
    }
  });
  process.send?.({ url });
}

/**
 * With BENCH_CPU_PROFILE_DIR, each configuration's main thread is profiled from start to close
 * and written there as `<mode>.cpuprofile` (for Chrome's DevTools): `--cpu-prof` writes a
 * profile at exit, and the run ends its children before they exit by themselves.
 */
const profileDir = process.env.BENCH_CPU_PROFILE_DIR;
let profiler: Session | undefined;

async function startCpuProfile(): Promise<void> {
  if (profileDir === undefined) return;
  profiler = new Session();
  profiler.connect();
  await profiler.post('Profiler.enable');
  await profiler.post('Profiler.start');
}

async function writeCpuProfile(mode: Mode): Promise<void> {
  if (profiler === undefined || profileDir === undefined) return;
  const { profile } = await profiler.post('Profiler.stop');
  const name = `${mode.replaceAll(/[^a-z]+/g, '-')}.cpuprofile`;
  writeFileSync(join(profileDir, name), JSON.stringify(profile));
  profiler.disconnect();
}

/**
 * The scripts that serve configurations: this one and the baseline's, as TypeScript under tsx,
 * or with BENCH_COMPILED=1 each compiled as the gateway ships (`compileBenchAsShipped`).
 */
const compiled = process.env.BENCH_COMPILED === '1';
const scripts: { own: string; baseline: string | undefined } = {
  own: fileURLToPath(import.meta.url),
  baseline:
    baselineDir === undefined ? undefined : join(baselineDir, 'scripts', 'bench-privacy.ts'),
};

async function compileScripts(): Promise<void> {
  if (!compiled) return;
  scripts.own = await compileBenchAsShipped(
    fileURLToPath(new URL('..', import.meta.url)),
    scripts.own,
  );
  if (scripts.baseline !== undefined)
    scripts.baseline = await compileBenchAsShipped(baselineDir!, scripts.baseline);
}

/** A configuration served by a child process of this script (or of the baseline's). */
interface Served {
  readonly label: string;
  readonly url: string;
  ask<T>(message: 'start' | 'end' | 'close'): Promise<T>;
}

async function served(
  store: StoreSettings,
  configuration: Configuration,
  dataDir: string,
): Promise<Served> {
  const { mode } = configuration;
  const script = configuration.baseline ? scripts.baseline! : scripts.own;
  const child = fork(script, [], {
    env: { ...process.env, BENCH_PRIVACY_SERVE: JSON.stringify({ store, mode, dataDir }) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    // A compiled script runs as the gateway ships, without the TypeScript loader.
    ...(compiled ? { execArgv: [] } : {}),
  });
  const next = <T>() =>
    new Promise<T>((resolve, reject) => {
      const exited = (code: number | null) =>
        reject(new Error(`the ${mode} gateway exited (${code})`));
      child.once('exit', exited);
      child.once('message', (message) => {
        child.off('exit', exited);
        resolve(message as T);
      });
    });
  const { url } = await next<{ url: string }>();
  return {
    label: labelOf(configuration),
    url,
    ask: async <T>(message: 'start' | 'end' | 'close') => {
      if (child.exitCode !== null) throw new Error(`the ${mode} gateway exited`);
      const answer = next<T>();
      child.send(message);
      if (message !== 'close') return answer;
      const closed = await answer;
      // Closed: anything it left running (a timer, a watch) must not keep the run going.
      if (child.exitCode === null) child.kill();
      return closed;
    },
  };
}

/** One round: every configuration loaded at the same time, each by its own autocannon. */
async function roundTogether(
  gateways: readonly Served[],
  seconds: number,
): Promise<Map<string, Round>> {
  await Promise.all(gateways.map((gateway) => gateway.ask('start')));
  const loads = await Promise.all(gateways.map((gateway) => autocannon(gateway.url, seconds)));
  const usages = await Promise.all(gateways.map((gateway) => gateway.ask<Usage>('end')));
  const results = new Map<string, Round>();
  gateways.forEach((gateway, i) => {
    const result = loads[i]!;
    const usage = usages[i]!;
    if (result.non2xx > 0 || result.errors > 0) {
      throw new Error(
        `${gateway.label}: ${result.non2xx} non-2xx answers and ${result.errors} errors`,
      );
    }
    results.set(gateway.label, {
      rps: result.rps,
      cpuUs: usage.cpuUs / result.total,
      mainUs: usage.mainUs / result.total,
      gcUs: (usage.gcPauseMs * 1000) / result.total,
      markCompacts: usage.markCompacts,
    });
  });
  return results;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const databases: TestDatabase[] = [];
const backends: { name: string; settings: () => Promise<StoreSettings> }[] = [
  { name: 'memory', settings: async () => ({ backend: 'memory', maxEntries: memoryMaxEntries }) },
  {
    name: 'postgres',
    settings: async () => {
      const database = await createTestDatabase();
      databases.push(database);
      const migrate = await runCli(['migrate'], { POLICY_GATEWAY_DATABASE_URL: database.url });
      if (migrate.code !== 0) throw new Error(`migrate failed: ${migrate.stderr}`);
      const connect = { maxWaitMs: 30_000, initialBackoffMs: 250, operationTimeoutMs: 5_000 };
      return {
        backend: 'postgres',
        databaseUrl: database.url,
        redactedDatabaseUrl: database.url,
        poolSize: 10,
        connect,
      };
    },
  },
];

const load = () =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(', ');

async function main(): Promise<void> {
  await compileScripts();
  const scratch = mkdtempSync(join(tmpdir(), 'pgw-bench-privacy-'));
  // Made here, before the configurations' processes would race to generate them.
  loadAuditSigningKey({ dataDir: scratch });
  FileKeyEncryptionKey.inDataDir(scratch);
  const only = process.env.BENCH_BACKENDS?.split(',');
  console.log(
    `decisions/s through POST /policy/evaluate, ${compiled ? 'compiled as the gateway ships' : 'under tsx'}, shipped bundle on the embedded engine, a prompt with a card number and an e-mail, ${connections} connections per configuration, every configuration in its own process and loaded at the same time, ${rounds} rounds of ${duration} s after a warm-up of ${warmUpDecisions} decisions each (at most ${warmUpMaxSeconds} s), memory store bound ${memoryMaxEntries}; load average at start ${load()}`,
  );
  console.log(
    'backend    mode                decisions/s   ×off [by round]        CPU µs/decision   ×off   main thread µs   ×off   GC µs  mark-compacts   (rounds, decisions/s)',
  );
  const gateways: Served[] = [];
  try {
    for (const backend of backends) {
      if (only !== undefined && !only.includes(backend.name)) continue;
      gateways.length = 0;
      for (const configuration of CONFIGURATIONS)
        gateways.push(await served(await backend.settings(), configuration, scratch));
      // Not counted: each engine's thread and each main thread's steps compile first (the
      // detectors' patterns on the first denial: seconds at load 20), until every configuration
      // answers a steady flow in the same round.
      const warmed = new Map<string, number>();
      for (let spent = 0; spent < warmUpMaxSeconds; spent += warmUp) {
        for (const [label, round] of await roundTogether(gateways, warmUp))
          warmed.set(label, (warmed.get(label) ?? 0) + round.rps * warmUp);
        if ([...warmed.values()].every((decisions) => decisions >= warmUpDecisions)) break;
      }
      const results = new Map<string, Round[]>(CONFIGURATIONS.map((c) => [labelOf(c), []]));
      for (let i = 0; i < rounds; i += 1) {
        for (const [label, result] of await roundTogether(gateways, duration)) {
          results.get(label)!.push(result);
        }
      }
      await Promise.all(gateways.splice(0).map((gateway) => gateway.ask('close')));
      const of = (label: string, field: 'rps' | 'cpuUs' | 'mainUs' | 'gcUs') =>
        median(results.get(label)!.map((r) => r[field]));
      // Decisions/s of a configuration over its tree's off's in the same seconds: median, range.
      const byRound = (label: string, off: string) =>
        results.get(label)!.map((r, i) => r.rps / results.get(off)![i]!.rps);
      const majors = (label: string) =>
        results.get(label)!.reduce((sum, r) => sum + r.markCompacts, 0);
      for (const configuration of CONFIGURATIONS) {
        const mode = labelOf(configuration);
        const off = labelOf({ mode: 'off', baseline: configuration.baseline });
        const ratios = byRound(mode, off);
        const range = `${median(ratios).toFixed(3)} [${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)}]`;
        console.log(
          `${backend.name.padEnd(10)} ${mode.padEnd(19)} ${of(mode, 'rps').toFixed(0).padStart(11)} ${(of(mode, 'rps') / of(off, 'rps')).toFixed(3).padStart(6)} ${range.padEnd(19)} ${of(mode, 'cpuUs').toFixed(0).padStart(11)} ${(of(mode, 'cpuUs') / of(off, 'cpuUs')).toFixed(3).padStart(6)} ${of(mode, 'mainUs').toFixed(0).padStart(16)} ${(of(mode, 'mainUs') / of(off, 'mainUs')).toFixed(3).padStart(6)} ${of(mode, 'gcUs').toFixed(0).padStart(7)} ${String(majors(mode)).padStart(14)}   (${results
            .get(mode)!
            .map((r) => r.rps.toFixed(0))
            .join('/')})`,
        );
      }
    }
    console.log(`load average at end ${load()}`);
  } finally {
    await Promise.allSettled(gateways.map((gateway) => gateway.ask('close')));
    rmSync(scratch, { recursive: true, force: true });
    if (compiled) {
      for (const script of [scripts.own, scripts.baseline])
        if (script !== undefined) rmSync(dirname(script), { recursive: true, force: true });
    }
    for (const database of databases) await database.drop();
    await stopSharedEmbeddedTestServer();
  }
}

const child = process.env.BENCH_PRIVACY_SERVE;
if (child === undefined) {
  await main();
} else {
  const { store, mode, dataDir } = JSON.parse(child) as {
    store: StoreSettings;
    mode: Mode;
    dataDir: string;
  };
  await serve(store, mode, dataDir);
}
