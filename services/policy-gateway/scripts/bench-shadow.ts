/**
 * Shadow rollout (issue 14), what it costs: decisions per second through `POST
 * /policy/evaluate` on a gateway without a shadow beside one whose every decision is also
 * evaluated under a candidate bundle (the shipped bundle again, so both evaluations cost the
 * same), rounds alternating in one run; with the CPU time this process (the app and its
 * evaluation threads) spent per decision, which a loaded machine disturbs less than
 * decisions/s, and autocannon's median latency. Both apps run in this process on one
 * PostgreSQL database (a fresh one on POLICY_GATEWAY_TEST_DATABASE_URL's server, or an
 * embedded server when unset), each with its own chain, as `serve` has it; load comes from
 * autocannon in another process. Medians are printed with the load average beside them.
 *
 * Usage: npm run bench:shadow -w services/policy-gateway
 *   BENCH_DURATION_SECONDS (5 per round), BENCH_ROUNDS (3), BENCH_CONNECTIONS (16).
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
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { buildApp } from '../src/app.js';
import { SETTING_DECLARATIONS } from '../src/config/setting-declarations.js';
import type { StoreSettings } from '../src/config/settings.js';
import {
  createPolicyEngine,
  DEFAULT_POLICY_BUNDLE_DIR,
  DEFAULT_POLICY_PATH,
} from '../src/policy/create-policy-engine.js';
import type { PolicyRollout } from '../src/policy/policy-rollout.js';
import { ShadowPolicy } from '../src/policy/shadow-policy.js';
import { openAuditStore } from '../src/store/open-audit-store.js';
import { TEST_APP_SETTINGS } from '../tests/support/build-test-app.js';
import { runCli } from '../tests/support/gateway-process.js';

const duration = Number(process.env.BENCH_DURATION_SECONDS ?? 5);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 16);
const autocannonBin = createRequire(import.meta.url).resolve('autocannon/autocannon.js');
const silent = pino({ level: 'silent' });
const workers = SETTING_DECLARATIONS.evaluation.workers.default;

const body = JSON.stringify({
  prompt: 'Summarise the quarterly report for the board, in three bullet points.',
  user_id: 'bench-user',
  context: {},
});

interface Round {
  readonly perSecond: number;
  /** CPU microseconds of this process per answered decision. */
  readonly cpuMicros: number;
  readonly p50Ms: number;
}

/** One autocannon run against `url`, refusing a run with any failed answer. */
function round(url: string): Promise<Round> {
  const cpuBefore = process.cpuUsage();
  return new Promise((resolve, reject) => {
    const args = ['--json', '-c', String(connections), '-d', String(duration), '-m', 'POST'];
    args.push('-H', 'content-type=application/json', '-b', body, `${url}/policy/evaluate`);
    const child = spawn(process.execPath, [autocannonBin, ...args], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`autocannon exited ${code}`));
      const cpu = process.cpuUsage(cpuBefore);
      const result = JSON.parse(out) as {
        requests: { average: number; total: number };
        latency: { p50: number };
        non2xx: number;
        errors: number;
      };
      if (result.non2xx > 0 || result.errors > 0) {
        return reject(new Error(`${result.non2xx} non-2xx, ${result.errors} errors`));
      }
      resolve({
        perSecond: result.requests.average,
        cpuMicros: (cpu.user + cpu.system) / result.requests.total,
        p50Ms: result.latency.p50,
      });
    });
  });
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const load = () =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(', ');

async function postgresStore(): Promise<StoreSettings> {
  const database = await createTestDatabase();
  const migrate = await runCli(['migrate'], { POLICY_GATEWAY_DATABASE_URL: database.url });
  if (migrate.code !== 0) throw new Error(`migrate failed: ${migrate.stderr}`);
  return {
    backend: 'postgres',
    databaseUrl: database.url,
    redactedDatabaseUrl: database.url,
    poolSize: 10,
    connect: { maxWaitMs: 30_000, initialBackoffMs: 250, operationTimeoutMs: 5_000 },
  } as StoreSettings;
}

const engine = () =>
  createPolicyEngine({
    bundleDir: DEFAULT_POLICY_BUNDLE_DIR,
    policyPath: DEFAULT_POLICY_PATH,
    opaTimeoutMs: 2_000,
    workers,
  });

const scratch = mkdtempSync(join(tmpdir(), 'pgw-bench-shadow-'));
const apps: FastifyInstance[] = [];
try {
  const storeSettings = await postgresStore();
  const start = async (name: string, rollout: PolicyRollout) => {
    const store = await openAuditStore(storeSettings, silent, {
      signingKey: loadAuditSigningKey({ dataDir: scratch }),
      instance: name,
      checkpointEveryEntries: 1000,
      checkpointIntervalMs: 60_000,
    });
    const app = await buildApp({
      settings: { ...TEST_APP_SETTINGS, maxPromptBytes: 65_536 },
      store,
      engine: await engine(),
      rollout,
    });
    apps.push(app);
    return app.listen({ host: '127.0.0.1', port: 0 });
  };
  const plainUrl = await start('bench-plain', { enforcement: 'enforce' });
  const shadowUrl = await start('bench-shadow', {
    enforcement: 'enforce',
    shadow: new ShadowPolicy(await engine()),
  });
  console.log(
    `PostgreSQL store with the hash chain, shipped bundle on the embedded engine (${workers} evaluation thread(s) for the active bundle, as many for the shadow's); ${connections} connections, ${rounds} rounds of ${duration} s, alternating; load average at start ${load()}`,
  );
  const plain: Round[] = [];
  const shadowed: Round[] = [];
  for (let i = 0; i < rounds; i += 1) {
    plain.push(await round(plainUrl));
    shadowed.push(await round(shadowUrl));
    console.log(
      `round ${i + 1}: without shadow ${plain.at(-1)!.perSecond.toFixed(0)}/s, with shadow ${shadowed.at(-1)!.perSecond.toFixed(0)}/s (load ${load()})`,
    );
  }
  const summary = (rows: readonly Round[]) => ({
    perSecond: median(rows.map((r) => r.perSecond)),
    cpuMicros: median(rows.map((r) => r.cpuMicros)),
    p50Ms: median(rows.map((r) => r.p50Ms)),
  });
  const a = summary(plain);
  const b = summary(shadowed);
  console.log('                 decisions/s   CPU µs/decision   p50 latency');
  console.log(
    `without shadow   ${a.perSecond.toFixed(0).padStart(11)}   ${a.cpuMicros.toFixed(0).padStart(15)}   ${a.p50Ms.toFixed(1).padStart(8)} ms`,
  );
  console.log(
    `with shadow      ${b.perSecond.toFixed(0).padStart(11)}   ${b.cpuMicros.toFixed(0).padStart(15)}   ${b.p50Ms.toFixed(1).padStart(8)} ms`,
  );
  console.log(
    `with/without     ${(b.perSecond / a.perSecond).toFixed(2).padStart(10)}×   ${(b.cpuMicros / a.cpuMicros).toFixed(2).padStart(14)}×   ${(b.p50Ms / a.p50Ms).toFixed(2).padStart(9)}×`,
  );
  console.log(`load average at end ${load()}`);
} finally {
  await Promise.allSettled(apps.map((app) => app.close()));
  rmSync(scratch, { recursive: true, force: true });
  await stopSharedEmbeddedTestServer();
}
