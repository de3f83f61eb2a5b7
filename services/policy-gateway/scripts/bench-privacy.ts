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
 * Rounds alternate off / on (mask on main) / on; the medians, their ratios to off, the CPU
 * time of this process (all its threads) per decision, and the main thread's garbage collection
 * (pause time per decision, and how many of its collections were full mark-compacts) are
 * printed, with the load average.
 *
 * What `on` costs more on the memory store was once put down to collecting an old space that
 * grows with every entry kept (now with a masked input and a sealed original each). Measured
 * (load ~15-25, so pauses are inflated): the main thread's collections in a round of 3,000
 * decisions are all scavenges, on and off (`--trace-gc`: no mark-compact), about 1.5 times as
 * many with `on`, and as many with the store bounded to 1,000 entries
 * (BENCH_MEMORY_MAX_ENTRIES=1000) as to 1,000,000: `on` adds allocation and work per decision
 * on the main thread, not retention.
 *
 * Usage: npm run bench:privacy -w services/policy-gateway
 *   BENCH_DURATION_SECONDS (5 per round, after BENCH_WARMUP_SECONDS, 2, not measured),
 *   BENCH_ROUNDS (3), BENCH_CONNECTIONS (32),
 *   BENCH_BACKENDS (memory,postgres), BENCH_MODES (off,on (mask on main),on),
 *   BENCH_MEMORY_MAX_ENTRIES (1000000: the memory store's bound).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { constants, type PerformanceEntry, PerformanceObserver } from 'node:perf_hooks';
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
import { openAuditStore } from '../src/store/open-audit-store.js';
import { TEST_APP_SETTINGS } from '../tests/support/build-test-app.js';
import { runCli } from '../tests/support/gateway-process.js';

const duration = Number(process.env.BENCH_DURATION_SECONDS ?? 5);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 32);
const warmUp = Number(process.env.BENCH_WARMUP_SECONDS ?? 2);
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
  readonly gcUs: number;
  readonly markCompacts: number;
}

type Mode = 'off' | 'on (mask on main)' | 'on';
const ALL_MODES: readonly Mode[] = ['off', 'on (mask on main)', 'on'];
const MODES = ALL_MODES.filter(
  (mode) => mode === 'off' || (process.env.BENCH_MODES?.split(',').includes(mode) ?? true),
);

/** The main thread's collections, as `perf_hooks` reports them. */
const collections = { pauseMs: 0, markCompacts: 0 };
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    collections.pauseMs += entry.duration;
    const { detail } = entry as PerformanceEntry & { detail?: { kind?: number } };
    if (detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) collections.markCompacts += 1;
  }
}).observe({ entryTypes: ['gc'] });

async function round(store: StoreSettings, mode: Mode, dataDir: string): Promise<Round> {
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
  // As `serve` composes them: the engine evaluates each decision's mask, and the write path
  // asks it for entries decided without one.
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
  try {
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    // Each round starts a new evaluation thread: let it (and the write path) compile first, so
    // that a round on a loaded machine does not measure mostly start-up.
    if (warmUp > 0) await autocannon(url, warmUp);
    const cpuBefore = process.cpuUsage();
    const before = { ...collections };
    const result = await autocannon(url);
    const cpu = process.cpuUsage(cpuBefore);
    // Observed entries arrive on a later turn of the event loop.
    await new Promise((resolve) => setImmediate(resolve));
    if (result.non2xx > 0 || result.errors > 0) {
      throw new Error(`${result.non2xx} non-2xx answers and ${result.errors} errors`);
    }
    return {
      rps: result.rps,
      cpuUs: (cpu.user + cpu.system) / result.total,
      gcUs: ((collections.pauseMs - before.pauseMs) * 1000) / result.total,
      markCompacts: collections.markCompacts - before.markCompacts,
    };
  } finally {
    await app.close();
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const scratch = mkdtempSync(join(tmpdir(), 'pgw-bench-privacy-'));
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
const only = process.env.BENCH_BACKENDS?.split(',');
console.log(
  `decisions/s through POST /policy/evaluate, shipped bundle on the embedded engine, a prompt with a card number and an e-mail, ${connections} connections, ${rounds} rounds of ${duration} s per configuration, alternating, memory store bound ${memoryMaxEntries}; load average at start ${load()}`,
);
console.log(
  'backend    mode                decisions/s   ×off   CPU µs/decision   ×off   GC µs/decision  mark-compacts   (rounds, decisions/s)',
);
try {
  for (const backend of backends) {
    if (only !== undefined && !only.includes(backend.name)) continue;
    const settings = await backend.settings();
    const results = new Map<Mode, Round[]>(MODES.map((mode) => [mode, []]));
    for (let i = 0; i < rounds; i += 1) {
      for (const mode of MODES) results.get(mode)!.push(await round(settings, mode, scratch));
    }
    const rps = (mode: Mode) => median(results.get(mode)!.map((r) => r.rps));
    const cpu = (mode: Mode) => median(results.get(mode)!.map((r) => r.cpuUs));
    const gc = (mode: Mode) => median(results.get(mode)!.map((r) => r.gcUs));
    const majors = (mode: Mode) => results.get(mode)!.reduce((sum, r) => sum + r.markCompacts, 0);
    for (const mode of MODES) {
      console.log(
        `${backend.name.padEnd(10)} ${mode.padEnd(19)} ${rps(mode).toFixed(0).padStart(11)} ${(rps(mode) / rps('off')).toFixed(3).padStart(6)} ${cpu(mode).toFixed(0).padStart(17)} ${(cpu(mode) / cpu('off')).toFixed(3).padStart(6)} ${gc(mode).toFixed(0).padStart(15)} ${String(majors(mode)).padStart(14)}   (${results
          .get(mode)!
          .map((r) => r.rps.toFixed(0))
          .join('/')})`,
      );
    }
  }
  console.log(`load average at end ${load()}`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
  for (const database of databases) await database.drop();
  await stopSharedEmbeddedTestServer();
}
