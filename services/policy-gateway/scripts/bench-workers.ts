/**
 * What serving from every core brings, and what sharing the memory store through the primary
 * costs: the same load on `POST /policy/evaluate` against the memory and PostgreSQL stores,
 * each with one `serve` process and with `POLICY_GATEWAY_WORKERS` workers, side by side in one
 * run. With one process the memory store is the process's own; with several, every batch of
 * entries and every read crosses IPC to the primary, which keeps the one store they share.
 *
 * Usage: npm run bench:workers -w services/policy-gateway
 *   BENCH_WORKERS (the number of cores), BENCH_DURATION_SECONDS (10), BENCH_CONNECTIONS (32).
 *   PostgreSQL is POLICY_GATEWAY_TEST_DATABASE_URL's server (or an embedded one when unset).
 *   Default settings otherwise (each request logged at info, as in production).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createTestDatabase,
  stopSharedEmbeddedTestServer,
} from '@policy-gateway/governance-runtime/testing';
import { type GatewayEnv, runCli, startGateway } from '../tests/support/gateway-process.js';

const workers = Number(process.env.BENCH_WORKERS ?? availableParallelism());
const duration = Number(process.env.BENCH_DURATION_SECONDS ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 32);
const autocannonBin = createRequire(import.meta.url).resolve('autocannon/autocannon.js');

const body = JSON.stringify({
  prompt: 'Summarise the quarterly report for the board: revenue by region, churn, the top risks.',
  user_id: 'bench-user',
  context: { app: 'bench' },
});

interface Sample {
  readonly requestsPerSecond: number;
  readonly p99: number;
  readonly failed: number;
}

function load(url: string, seconds: number): Promise<Sample> {
  const args = [
    autocannonBin,
    '--json',
    ...['-c', String(connections), '-d', String(seconds), '-m', 'POST'],
    ...['-H', 'content-type=application/json', '-b', body],
    `${url}/policy/evaluate`,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`autocannon exited ${code}`));
      const result = JSON.parse(out) as {
        requests: { average: number };
        latency: { p99: number };
        non2xx: number;
        errors: number;
      };
      resolve({
        requestsPerSecond: result.requests.average,
        p99: result.latency.p99,
        failed: result.non2xx + result.errors,
      });
    });
  });
}

function figures(sample: Sample): string {
  return `${sample.requestsPerSecond.toFixed(0)} req/s, p99 ${sample.p99.toFixed(1)} ms, ${sample.failed} failed (load average ${loadavg()[0]?.toFixed(2)})`;
}

async function measure(env: GatewayEnv, count: number): Promise<Sample> {
  // Generous limits: the bench measures throughput, not the admission of one client address.
  const gateway = await startGateway({
    ...env,
    POLICY_GATEWAY_WORKERS: String(count),
    POLICY_GATEWAY_EVAL_PER_CLIENT_LIMIT: '1000',
    POLICY_GATEWAY_EVAL_QUEUE_LIMIT: '1000',
  });
  try {
    if (count > 1) {
      const deadline = Date.now() + 120_000;
      while (!gateway.output().includes('"workers":')) {
        if (Date.now() > deadline) throw new Error(`workers did not start:\n${gateway.output()}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    await load(gateway.url, 2); // warm-up: JIT, pools
    return await load(gateway.url, duration);
  } finally {
    await gateway.kill('SIGTERM');
  }
}

const dataDir = mkdtempSync(join(tmpdir(), 'pgw-bench-workers-'));
const database = await createTestDatabase();
const rows: string[] = [];
try {
  const postgres = {
    POLICY_GATEWAY_DATABASE_URL: database.url,
    POLICY_GATEWAY_DATA_DIR: dataDir,
  };
  const migrated = await runCli(['migrate'], postgres);
  if (migrated.code !== 0) throw new Error(`migrate failed: ${migrated.stderr}`);
  process.stdout.write(
    `bench:workers: ${connections} connections, ${duration} s each after 2 s of warm-up; 1 and ${workers} workers; load average before: ${loadavg()
      .map((n) => n.toFixed(2))
      .join(' ')}\n`,
  );
  for (const [name, env] of [
    ['memory', { POLICY_GATEWAY_AUDIT_STORE_BACKEND: 'memory', POLICY_GATEWAY_DATA_DIR: dataDir }],
    ['postgres', postgres],
  ] as const) {
    const one = await measure(env, 1);
    process.stdout.write(`  ${name}, 1 worker: ${figures(one)}\n`);
    const all = await measure(env, workers);
    process.stdout.write(`  ${name}, ${workers} workers: ${figures(all)}\n`);
    rows.push(
      `| ${name.padEnd(8)} | ${one.requestsPerSecond.toFixed(0).padStart(10)} | ${one.p99.toFixed(1).padStart(6)} | ${all.requestsPerSecond.toFixed(0).padStart(10)} | ${all.p99.toFixed(1).padStart(6)} | ${(all.requestsPerSecond / one.requestsPerSecond).toFixed(2).padStart(5)}x | ${String(one.failed + all.failed).padStart(6)} |`,
    );
  }
} finally {
  await database.drop();
  await stopSharedEmbeddedTestServer();
  rmSync(dataDir, { recursive: true, force: true });
}
process.stdout.write(
  [
    '',
    `| store    | 1 worker/s | p99 ms | ${`${workers} workers/s`.padStart(10)} | p99 ms | ratio | failed |`,
    '|----------|------------|--------|------------|--------|-------|--------|',
    ...rows,
    '',
    `load average after: ${loadavg()
      .map((n) => n.toFixed(2))
      .join(' ')}`,
    '',
  ].join('\n'),
);
