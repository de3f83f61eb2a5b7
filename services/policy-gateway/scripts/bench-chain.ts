/**
 * Decisions per second with and without the audit hash chain (issue 11), side by side in one
 * run, for each store: memory, embedded (PGlite in a fresh data dir) and a PostgreSQL server
 * (a fresh database on POLICY_GATEWAY_TEST_DATABASE_URL's server, or an embedded one when
 * unset). The app runs in this process with its real write path as `serve` composes it
 * (`openAuditStore` with and without the tamper-evidence options: chain, checkpoints every
 * 1,000 entries, signing key), and autocannon loads `POST /policy/evaluate` from another
 * process. By default the policy engine is scripted (answers at once), so that the figures are
 * the write path's and the chain's cost is not hidden behind the Rego evaluation: the worst
 * case. `BENCH_ENGINE=embedded` runs the shipped bundle on the embedded Rego engine with the
 * default worker threads instead: the decisions per second a user of `serve` sees.
 * Rounds alternate without/with the chain; the medians and their ratio are printed, and beside
 * them the CPU time of the process (every thread: HTTP, chain, engine workers) per decision and
 * the ratio without/with: the decisions/s a core affords with the chain, a figure that other
 * load on a shared machine moves far less than decisions/s.
 *
 * Usage: npm run bench:chain -w services/policy-gateway
 *   BENCH_DURATION_SECONDS (5 per round), BENCH_ROUNDS (3), BENCH_CONNECTIONS (32),
 *   BENCH_ENGINE (scripted | embedded), BENCH_BACKENDS (memory,embedded,postgres).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAuditSigningKey } from '@policy-gateway/governance-runtime';
import {
  createTestDatabase,
  stopSharedEmbeddedTestServer,
} from '@policy-gateway/governance-runtime/testing';
import pino from 'pino';
import { buildApp } from '../src/app.js';
import { SETTING_DECLARATIONS } from '../src/config/setting-declarations.js';
import type { StoreSettings } from '../src/config/settings.js';
import {
  createPolicyEngine,
  DEFAULT_POLICY_BUNDLE_DIR,
  DEFAULT_POLICY_PATH,
} from '../src/policy/create-policy-engine.js';
import type { PolicyEngine } from '../src/policy/policy-engine.js';
import { openAuditStore } from '../src/store/open-audit-store.js';
import { TEST_APP_SETTINGS } from '../tests/support/build-test-app.js';
import { runCli } from '../tests/support/gateway-process.js';
import { ScriptedPolicyEngine } from '../tests/support/scripted-policy-engine.js';

const duration = Number(process.env.BENCH_DURATION_SECONDS ?? 5);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 32);
const autocannonBin = createRequire(import.meta.url).resolve('autocannon/autocannon.js');
const silent = pino({ level: 'silent' });
const engineKind = process.env.BENCH_ENGINE ?? 'scripted';
if (engineKind !== 'scripted' && engineKind !== 'embedded') {
  throw new Error(`BENCH_ENGINE must be scripted or embedded, not ${engineKind}`);
}

function startEngine(): Promise<PolicyEngine> {
  if (engineKind === 'scripted') return Promise.resolve(new ScriptedPolicyEngine());
  return createPolicyEngine({
    bundleDir: DEFAULT_POLICY_BUNDLE_DIR,
    policyPath: DEFAULT_POLICY_PATH,
    opaTimeoutMs: 2_000,
    workers: SETTING_DECLARATIONS.evaluation.workers.default,
  });
}
const body = JSON.stringify({ prompt: 'summarise the quarterly report', user_id: 'bench-user' });

function autocannon(
  url: string,
): Promise<{ rps: number; total: number; non2xx: number; errors: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        autocannonBin,
        '--json',
        '-c',
        String(connections),
        '-d',
        String(duration),
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

/** Decisions per second, and CPU time of this process (all its threads) per decision in µs. */
interface Round {
  readonly rps: number;
  readonly cpuUs: number;
}

async function round(store: StoreSettings, chained: boolean, keyDir: string): Promise<Round> {
  const opened = await openAuditStore(
    store,
    silent,
    chained
      ? {
          signingKey: loadAuditSigningKey({ dataDir: keyDir }),
          instance: 'bench',
          checkpointEveryEntries: 1000,
          checkpointIntervalMs: 60_000,
        }
      : undefined,
  );
  const app = await buildApp({
    settings: { ...TEST_APP_SETTINGS, maxPromptBytes: 65_536 },
    store: opened,
    engine: await startEngine(),
  });
  try {
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    const cpuBefore = process.cpuUsage();
    const result = await autocannon(url);
    const cpu = process.cpuUsage(cpuBefore);
    if (result.non2xx > 0 || result.errors > 0) {
      throw new Error(`${result.non2xx} non-2xx answers and ${result.errors} errors`);
    }
    return { rps: result.rps, cpuUs: (cpu.user + cpu.system) / result.total };
  } finally {
    await app.close();
    await opened.close();
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const scratch = mkdtempSync(join(tmpdir(), 'pgw-bench-chain-'));
const backends: { name: string; settings: () => Promise<StoreSettings> }[] = [
  { name: 'memory', settings: async () => ({ backend: 'memory', maxEntries: 1_000_000 }) },
  {
    name: 'embedded',
    settings: async () => {
      const dataDir = join(scratch, 'embedded');
      const migrate = await runCli(['migrate'], {
        POLICY_GATEWAY_AUDIT_STORE_BACKEND: 'embedded',
        POLICY_GATEWAY_DATA_DIR: dataDir,
      });
      if (migrate.code !== 0) throw new Error(`migrate failed: ${migrate.stderr}`);
      const connect = { maxWaitMs: 30_000, initialBackoffMs: 250, operationTimeoutMs: 5_000 };
      return { backend: 'embedded', dataDir, connect };
    },
  },
  {
    name: 'postgres',
    settings: async () => {
      const database = await createTestDatabase();
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

const only = process.env.BENCH_BACKENDS?.split(',');
console.log(
  `decisions/s through POST /policy/evaluate, ${engineKind} engine, ${connections} connections, ${rounds} rounds of ${duration} s each way, alternating`,
);
console.log(
  'backend    without chain   with chain   with/without   CPU µs/decision without, with, ratio',
);
try {
  for (const backend of backends) {
    if (only !== undefined && !only.includes(backend.name)) continue;
    const settings = await backend.settings();
    const without: Round[] = [];
    const withChain: Round[] = [];
    for (let i = 0; i < rounds; i += 1) {
      without.push(await round(settings, false, scratch));
      withChain.push(await round(settings, true, scratch));
    }
    const a = median(without.map((r) => r.rps));
    const b = median(withChain.map((r) => r.rps));
    // CPU per decision moves far less with other load on the machine than decisions/s do.
    const ca = median(without.map((r) => r.cpuUs));
    const cb = median(withChain.map((r) => r.cpuUs));
    console.log(
      `${backend.name.padEnd(10)} ${a.toFixed(0).padStart(13)} ${b.toFixed(0).padStart(12)} ${(b / a).toFixed(3).padStart(14)}   ${ca.toFixed(0)}, ${cb.toFixed(0)}, ${(ca / cb).toFixed(3)}   (rounds: ${without.map((v) => v.rps.toFixed(0)).join('/')} vs ${withChain.map((v) => v.rps.toFixed(0)).join('/')})`,
    );
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
  await stopSharedEmbeddedTestServer();
}
