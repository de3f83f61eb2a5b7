/**
 * Load on `POST /policy/evaluate` for each audit store backend in one run: the real gateway
 * runs as a child process (memory, embedded in a fresh data dir, postgres on a fresh database)
 * and autocannon loads it from another process. Prints requests/s, p50 and p99 per backend
 * and the postgres/memory ratio.
 *
 * Usage: npm run bench -w services/policy-gateway
 *   BENCH_DURATION_SECONDS (10), BENCH_CONNECTIONS (20). The gateway runs with its default
 *   settings (log level info, so each request is logged, as in production). Postgres uses
 *   POLICY_GATEWAY_TEST_DATABASE_URL's server, or starts an embedded one when unset.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createTestDatabase,
  stopSharedEmbeddedTestServer,
} from '@policy-gateway/governance-runtime/testing';
import { type GatewayEnv, runCli, startGateway } from '../tests/support/gateway-process.js';

const duration = Number(process.env.BENCH_DURATION_SECONDS ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 20);
const autocannonBin = createRequire(import.meta.url).resolve('autocannon/autocannon.js');

const body = JSON.stringify({
  prompt:
    'Summarise the attached quarterly report for the board. Focus on revenue by region, the ' +
    'churn figures, and the three largest risks named by the auditors. Keep it under 200 words.',
  user_id: 'bench-user',
  context: { app: 'bench', tenant: 'acme' },
});

interface Figures {
  readonly backend: string;
  readonly requestsPerSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly total: number;
  readonly non2xx: number;
  readonly errors: number;
}

interface AutocannonResult {
  requests: { average: number; total: number };
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

async function measure(backend: string, env: GatewayEnv): Promise<Figures> {
  if (backend !== 'memory') {
    const migrate = await runCli(['migrate'], env);
    if (migrate.code !== 0) throw new Error(`migrate failed for ${backend}: ${migrate.stderr}`);
  }
  const gateway = await startGateway(env);
  try {
    await autocannon(gateway.url, 2); // warm-up: JIT, pool, PGlite caches
    const result = await autocannon(gateway.url, duration);
    return {
      backend,
      requestsPerSecond: result.requests.average,
      p50: result.latency.p50,
      p99: result.latency.p99,
      total: result.requests.total,
      non2xx: result.non2xx,
      errors: result.errors,
    };
  } finally {
    await gateway.kill('SIGTERM');
  }
}

const results: Figures[] = [];
const dataDir = mkdtempSync(join(tmpdir(), 'pgw-bench-'));
const database = await createTestDatabase();
try {
  process.stdout.write(
    `policy-gateway bench: ${connections} connections, ${duration} s per backend, after a 2 s warm-up\n`,
  );
  for (const [backend, env] of [
    ['memory', { POLICY_GATEWAY_AUDIT_STORE_BACKEND: 'memory' }],
    [
      'embedded',
      { POLICY_GATEWAY_AUDIT_STORE_BACKEND: 'embedded', POLICY_GATEWAY_DATA_DIR: dataDir },
    ],
    ['postgres', { POLICY_GATEWAY_DATABASE_URL: database.url }],
  ] as const) {
    process.stdout.write(`  measuring ${backend}…\n`);
    results.push(await measure(backend, env));
  }
} finally {
  await database.drop();
  await stopSharedEmbeddedTestServer();
  rmSync(dataDir, { recursive: true, force: true });
}

const rows = results.map(
  (r) =>
    `| ${r.backend.padEnd(8)} | ${r.requestsPerSecond.toFixed(0).padStart(8)} | ${r.p50.toFixed(1).padStart(7)} | ${r.p99.toFixed(1).padStart(7)} | ${String(r.total).padStart(8)} | ${String(r.non2xx + r.errors).padStart(6)} |`,
);
process.stdout.write(
  [
    '',
    '| backend  |    req/s | p50 ms  | p99 ms  | requests | failed |',
    '|----------|----------|---------|---------|----------|--------|',
    ...rows,
    '',
  ].join('\n'),
);
const memory = results.find((r) => r.backend === 'memory');
const postgres = results.find((r) => r.backend === 'postgres');
if (memory !== undefined && postgres !== undefined) {
  process.stdout.write(
    `postgres/memory: ${(postgres.requestsPerSecond / memory.requestsPerSecond).toFixed(2)}× the throughput, p99 ${(postgres.p99 / Math.max(memory.p99, 0.001)).toFixed(2)}× the latency\n`,
  );
}
