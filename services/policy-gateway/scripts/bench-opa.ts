/**
 * Speaking OPA (issue 14), what it costs: decisions per second through OPA's Data API
 * (`POST /v1/data/policy_gateway/decision` with `{"input": …}`) beside the gateway's own
 * `POST /policy/evaluate` on the same decision, rounds alternating in one run; and decision-log
 * events per second ingested through `POST /logs` (gzip batches of unique events, as OPA's
 * plugin uploads them). The app runs in this process on a PostgreSQL audit store (a fresh
 * database on POLICY_GATEWAY_TEST_DATABASE_URL's server, or an embedded one when unset) with
 * the hash chain as `serve` has it, and the shipped bundle on the embedded engine; load comes
 * from other processes (autocannon for decisions, a small uploader for batches). Medians and
 * their ratio are printed with the load average beside them.
 *
 * Usage: npm run bench:opa -w services/policy-gateway
 *   BENCH_DURATION_SECONDS (5 per round), BENCH_ROUNDS (3), BENCH_CONNECTIONS (32),
 *   BENCH_LOG_BATCH (100 events per upload), BENCH_LOG_CONCURRENCY (4 uploads at once).
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
import type { StoreSettings } from '../src/config/settings.js';
import {
  createPolicyEngine,
  DEFAULT_POLICY_BUNDLE_DIR,
  DEFAULT_POLICY_PATH,
} from '../src/policy/create-policy-engine.js';
import { openAuditStore } from '../src/store/open-audit-store.js';
import { TEST_APP_SETTINGS } from '../tests/support/build-test-app.js';
import { runCli } from '../tests/support/gateway-process.js';

const duration = Number(process.env.BENCH_DURATION_SECONDS ?? 5);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 32);
const logBatch = Number(process.env.BENCH_LOG_BATCH ?? 100);
const logConcurrency = Number(process.env.BENCH_LOG_CONCURRENCY ?? 4);
const autocannonBin = createRequire(import.meta.url).resolve('autocannon/autocannon.js');
const silent = pino({ level: 'silent' });

const input = {
  prompt: 'Summarise the quarterly report for the board, in three bullet points.',
  user_id: 'bench-user',
  context: {},
};
const ROUTES = {
  evaluate: { path: '/policy/evaluate', body: JSON.stringify(input) },
  dataApi: {
    path: `/v1/data/${DEFAULT_POLICY_PATH.replace(/^data\./, '').replaceAll('.', '/')}`,
    body: JSON.stringify({ input }),
  },
} as const;

/** Requests per second that autocannon measured, refusing a run with any failed answer. */
function autocannon(url: string, route: { path: string; body: string }): Promise<number> {
  return new Promise((resolve, reject) => {
    const args = ['--json', '-c', String(connections), '-d', String(duration), '-m', 'POST'];
    args.push('-H', 'content-type=application/json', '-b', route.body, `${url}${route.path}`);
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
      const result = JSON.parse(out) as {
        requests: { average: number };
        non2xx: number;
        errors: number;
      };
      if (result.non2xx > 0 || result.errors > 0) {
        return reject(
          new Error(`${route.path}: ${result.non2xx} non-2xx, ${result.errors} errors`),
        );
      }
      resolve(result.requests.average);
    });
  });
}

/**
 * Another process uploads gzip batches of unique events, `logConcurrency` at once, for the
 * round's duration; events per second committed (only 204s count).
 */
const UPLOADER = `
import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
const [url, seconds, batch, concurrency] = process.argv.slice(1);
const until = Date.now() + Number(seconds) * 1000;
let events = 0;
let failed = 0;
const started = Date.now();
async function worker() {
  while (Date.now() < until) {
    const body = [];
    for (let i = 0; i < Number(batch); i++) {
      body.push({
        labels: { id: 'bench-opa', version: '1.4.2' },
        decision_id: randomUUID(),
        bundles: { authz: { revision: 'bench' } },
        path: 'policy_gateway/decision',
        input: { prompt: 'hello', user_id: 'u-' + (i % 50) },
        result: { allow: true, reasons: [] },
        timestamp: new Date().toISOString(),
        metrics: { timer_server_handler_ns: 250000 },
      });
    }
    const response = await fetch(url + '/logs', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: gzipSync(JSON.stringify(body)),
    });
    await response.arrayBuffer();
    if (response.status === 204) events += Number(batch); else failed += 1;
  }
}
await Promise.all(Array.from({ length: Number(concurrency) }, worker));
console.log(JSON.stringify({ events, failed, seconds: (Date.now() - started) / 1000 }));
`;

function uploadEvents(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const args = ['--input-type=module', '-e', UPLOADER, url, String(duration)];
    args.push(String(logBatch), String(logConcurrency));
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`the uploader exited ${code}`));
      const { events, failed, seconds } = JSON.parse(out) as Record<string, number>;
      if (failed! > 0) return reject(new Error(`${failed} uploads were not answered 204`));
      resolve(events! / seconds!);
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

const scratch = mkdtempSync(join(tmpdir(), 'pgw-bench-opa-'));
try {
  const store = await openAuditStore(await postgresStore(), silent, {
    signingKey: loadAuditSigningKey({ dataDir: scratch }),
    instance: 'bench',
    checkpointEveryEntries: 1000,
    checkpointIntervalMs: 60_000,
  });
  const app = await buildApp({
    settings: { ...TEST_APP_SETTINGS, maxPromptBytes: 65_536 },
    store,
    engine: await createPolicyEngine({
      bundleDir: DEFAULT_POLICY_BUNDLE_DIR,
      policyPath: DEFAULT_POLICY_PATH,
      opaTimeoutMs: 2_000,
      workers: SETTING_DECLARATIONS.evaluation.workers.default,
    }),
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  console.log(
    `PostgreSQL store with the hash chain, shipped bundle on the embedded engine; ${connections} connections, ${rounds} rounds of ${duration} s, alternating; load average at start ${load()}`,
  );
  try {
    const evaluate: number[] = [];
    const dataApi: number[] = [];
    const logs: number[] = [];
    for (let i = 0; i < rounds; i += 1) {
      evaluate.push(await autocannon(url, ROUTES.evaluate));
      dataApi.push(await autocannon(url, ROUTES.dataApi));
      logs.push(await uploadEvents(url));
      console.log(
        `round ${i + 1}: /policy/evaluate ${evaluate.at(-1)!.toFixed(0)}/s, ${ROUTES.dataApi.path} ${dataApi.at(-1)!.toFixed(0)}/s, /logs ${logs.at(-1)!.toFixed(0)} events/s (load ${load()})`,
      );
    }
    const a = median(evaluate);
    const b = median(dataApi);
    console.log(`decisions/s  POST /policy/evaluate ${a.toFixed(0)}`);
    console.log(
      `decisions/s  POST ${ROUTES.dataApi.path} ${b.toFixed(0)}  (${(b / a).toFixed(2)}× evaluate)`,
    );
    console.log(
      `events/s     POST /logs ${median(logs).toFixed(0)}  (batches of ${logBatch}, ${logConcurrency} at once)`,
    );
    console.log(`load average at end ${load()}`);
  } finally {
    await app.close();
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
  await stopSharedEmbeddedTestServer();
}
