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
 * Rounds alternate off/on; the medians, their ratio and the CPU time of this process per
 * decision are printed, with the load average beside them.
 *
 * Usage: npm run bench:privacy -w services/policy-gateway
 *   BENCH_DURATION_SECONDS (5 per round), BENCH_ROUNDS (3), BENCH_CONNECTIONS (32),
 *   BENCH_BACKENDS (memory,postgres).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAuditSigningKey } from '@policy-gateway/governance-runtime';
import {
  createTestDatabase,
  stopSharedEmbeddedTestServer,
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

function autocannon(url: string): Promise<Load> {
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

async function round(store: StoreSettings, privacy: 'on' | 'off', dataDir: string): Promise<Round> {
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
  const app = await buildApp({
    settings: { ...TEST_APP_SETTINGS, maxPromptBytes: 65_536 },
    store: opened,
    engine: await createPolicyEngine({
      bundleDir: DEFAULT_POLICY_BUNDLE_DIR,
      policyPath: DEFAULT_POLICY_PATH,
      opaTimeoutMs: 2_000,
      workers: SETTING_DECLARATIONS.evaluation.workers.default,
    }),
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
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const scratch = mkdtempSync(join(tmpdir(), 'pgw-bench-privacy-'));
const backends: { name: string; settings: () => Promise<StoreSettings> }[] = [
  { name: 'memory', settings: async () => ({ backend: 'memory', maxEntries: 1_000_000 }) },
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

const load = () =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(', ');
const only = process.env.BENCH_BACKENDS?.split(',');
console.log(
  `decisions/s through POST /policy/evaluate, shipped bundle on the embedded engine, a prompt with a card number and an e-mail, ${connections} connections, ${rounds} rounds of ${duration} s each way, alternating; load average at start ${load()}`,
);
console.log('backend    privacy off   privacy on   on/off   CPU µs/decision off, on, ratio off/on');
try {
  for (const backend of backends) {
    if (only !== undefined && !only.includes(backend.name)) continue;
    const settings = await backend.settings();
    const off: Round[] = [];
    const on: Round[] = [];
    for (let i = 0; i < rounds; i += 1) {
      off.push(await round(settings, 'off', scratch));
      on.push(await round(settings, 'on', scratch));
    }
    const a = median(off.map((r) => r.rps));
    const b = median(on.map((r) => r.rps));
    const ca = median(off.map((r) => r.cpuUs));
    const cb = median(on.map((r) => r.cpuUs));
    console.log(
      `${backend.name.padEnd(10)} ${a.toFixed(0).padStart(11)} ${b.toFixed(0).padStart(12)} ${(b / a).toFixed(3).padStart(8)}   ${ca.toFixed(0)}, ${cb.toFixed(0)}, ${(ca / cb).toFixed(3)}   (rounds: ${off.map((v) => v.rps.toFixed(0)).join('/')} vs ${on.map((v) => v.rps.toFixed(0)).join('/')})`,
    );
  }
  console.log(`load average at end ${load()}`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
  await stopSharedEmbeddedTestServer();
}
