/**
 * What authentication costs per decision: `POST /policy/evaluate` with no authentication, with
 * an API key and with an OIDC access token (a JWT from a real oidc-provider), side by side in
 * one run, on the memory store and on PostgreSQL. For each store two real gateways run as
 * child processes on the same store kind (PostgreSQL: the same fresh database): one with
 * `POLICY_GATEWAY_AUTH=off`, one with `POLICY_GATEWAY_AUTH=on` whose evaluator key was made by
 * `policy-gateway keys create` before it started and which trusts the test provider. autocannon
 * loads them from another process, one mode at a time, in rounds whose order rotates (so that
 * the machine's own drift does not favour a mode); the table gives each mode's median over the
 * rounds and its throughput as a share of no authentication. Target: under 10% fewer
 * decisions per second with either credential.
 *
 * Usage: npm run bench:auth -w services/policy-gateway
 *   BENCH_DURATION_SECONDS (10) per mode and round, BENCH_ROUNDS (3), BENCH_CONNECTIONS (16),
 *   BENCH_STORES (memory,postgres). The gateways run with their defaults (per-request logging
 *   at info, one evaluation worker) except POLICY_GATEWAY_EVAL_PER_CLIENT_LIMIT, raised to the
 *   connection count since every connection comes from 127.0.0.1. PostgreSQL is
 *   POLICY_GATEWAY_TEST_DATABASE_URL's server, or an embedded one when unset.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import {
  createTestDatabase,
  stopSharedEmbeddedTestServer,
  type TestDatabase,
} from '@policy-gateway/governance-runtime/testing';
import {
  type GatewayEnv,
  type GatewayProcess,
  runCli,
  startGateway,
} from '../tests/support/gateway-process.js';
import {
  type OidcTestProvider,
  startOidcTestProvider,
} from '../tests/support/oidc-test-provider.js';

const duration = Number(process.env.BENCH_DURATION_SECONDS ?? 10);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 16);
const stores = (process.env.BENCH_STORES ?? 'memory,postgres').split(',');
const TARGET_LOSS = 0.1;
const autocannonBin = createRequire(import.meta.url).resolve('autocannon/autocannon.js');

const body = JSON.stringify({
  prompt:
    'Summarise the attached quarterly report for the board. Focus on revenue by region, the ' +
    'churn figures, and the three largest risks named by the auditors. Keep it under 200 words.',
  user_id: 'bench-user',
  context: { app: 'bench', tenant: 'acme' },
});

type Mode = 'none' | 'api key' | 'jwt';
const MODES: readonly Mode[] = ['none', 'api key', 'jwt'];

interface Target {
  readonly url: string;
  /** The `Authorization` header, or none. */
  readonly authorization?: string;
}

interface Sample {
  readonly requestsPerSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly total: number;
  readonly failed: number;
}

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}

function autocannon(target: Target, seconds: number): Promise<Sample> {
  const headers = ['-H', 'content-type=application/json'];
  if (target.authorization !== undefined)
    headers.push('-H', `authorization=${target.authorization}`);
  const args = [
    autocannonBin,
    '--json',
    '-c',
    String(connections),
    '-d',
    String(seconds),
    '-m',
    'POST',
    ...headers,
    '-b',
    body,
    `${target.url}/policy/evaluate`,
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
      const result = JSON.parse(out) as AutocannonResult;
      resolve({
        requestsPerSecond: result.requests.average,
        p50: result.latency.p50,
        p99: result.latency.p99,
        total: result.requests.total,
        failed: result.non2xx + result.errors + result.timeouts,
      });
    });
  });
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? Number.NaN)
    : ((sorted[middle - 1] ?? Number.NaN) + (sorted[middle] ?? Number.NaN)) / 2;
}

/** One answer through `target`, so that a credential the gateway refuses stops the run. */
async function checkOnce(mode: Mode, target: Target): Promise<void> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (target.authorization !== undefined) headers.authorization = target.authorization;
  const response = await fetch(`${target.url}/policy/evaluate`, {
    method: 'POST',
    headers,
    body,
    signal: AbortSignal.timeout(30_000),
  });
  if (response.status !== 200)
    throw new Error(
      `${mode}: POST /policy/evaluate answered ${response.status}: ${await response.text()}`,
    );
}

// ---- the gateways of one store: authentication off, and on with a key and a token ----------

const AUDIENCE = 'https://policy-gateway.bench';
const BENCH_CLIENT = 'bench-service';
const ADMIN_CLIENT = 'bench-admin';

interface StoreUnderTest {
  readonly store: string;
  readonly targets: Readonly<Record<Mode, Target>>;
  stop(): Promise<void>;
}

function storeEnv(store: string, database: TestDatabase | undefined): GatewayEnv {
  if (store === 'memory') return { POLICY_GATEWAY_AUDIT_STORE_BACKEND: 'memory' };
  if (store === 'postgres' && database !== undefined)
    return { POLICY_GATEWAY_DATABASE_URL: database.url };
  throw new Error(`BENCH_STORES: unknown store ${store} (memory, postgres)`);
}

/**
 * An evaluator key: made by `policy-gateway keys create` before the gateway starts where keys
 * live in the database; with the memory store (keys in the gateway's memory, which the command
 * cannot reach) through `POST /admin/keys`, as an admin signed in with an OIDC token.
 */
async function createEvaluatorKey(
  env: GatewayEnv,
  gateway: GatewayProcess | undefined,
  adminToken: string,
): Promise<string> {
  if (gateway === undefined) {
    const created = await runCli(
      ['keys', 'create', '--role', 'evaluator', '--name', 'bench', '--json'],
      env,
    );
    if (created.code !== 0) throw new Error(`keys create failed: ${created.stderr}`);
    return (JSON.parse(created.stdout) as { key: string }).key;
  }
  const response = await fetch(`${gateway.url}/admin/keys`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` },
    body: JSON.stringify({ role: 'evaluator', name: 'bench' }),
  });
  if (response.status !== 201 && response.status !== 200)
    throw new Error(`POST /admin/keys answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { key: string }).key;
}

async function startStore(
  store: string,
  database: TestDatabase | undefined,
  idp: OidcTestProvider,
): Promise<StoreUnderTest> {
  const common: GatewayEnv = {
    ...storeEnv(store, database),
    POLICY_GATEWAY_EVAL_PER_CLIENT_LIMIT: String(Math.max(connections, 8)),
  };
  if (store !== 'memory') {
    const migrate = await runCli(['migrate'], common);
    if (migrate.code !== 0) throw new Error(`migrate failed for ${store}: ${migrate.stderr}`);
  }
  const keysInDatabase = store !== 'memory';
  const adminToken = await idp.clientCredentialsToken(ADMIN_CLIENT);
  const beforeStart = keysInDatabase ? await createEvaluatorKey(common, undefined, adminToken) : '';
  const started: GatewayProcess[] = [];
  try {
    const open = await startGateway({ ...common, POLICY_GATEWAY_AUTH: 'off' });
    started.push(open);
    const guarded = await startGateway({
      ...common,
      POLICY_GATEWAY_AUTH: 'on',
      POLICY_GATEWAY_OIDC_ISSUER: idp.issuer,
      POLICY_GATEWAY_OIDC_AUDIENCE: idp.audience,
      POLICY_GATEWAY_OIDC_JWKS_URL: idp.jwksUrl,
      POLICY_GATEWAY_OIDC_ROLES_CLAIM: idp.rolesClaim,
    });
    started.push(guarded);
    const apiKey = keysInDatabase
      ? beforeStart
      : await createEvaluatorKey(common, guarded, adminToken);
    const token = await idp.clientCredentialsToken(BENCH_CLIENT);
    const targets: Record<Mode, Target> = {
      none: { url: open.url },
      'api key': { url: guarded.url, authorization: `Bearer ${apiKey}` },
      jwt: { url: guarded.url, authorization: `Bearer ${token}` },
    };
    for (const mode of MODES) await checkOnce(mode, targets[mode]);
    // Without a credential the guarded gateway must refuse, or the comparison means nothing.
    const refused = await fetch(`${guarded.url}/policy/evaluate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    if (refused.status !== 401)
      throw new Error(`the guarded gateway answered ${refused.status} without credentials`);
    return {
      store,
      targets,
      async stop() {
        await Promise.all(started.map((gateway) => gateway.kill('SIGTERM')));
      },
    };
  } catch (error) {
    await Promise.all(started.map((gateway) => gateway.kill('SIGTERM')));
    throw error;
  }
}

// ---- the run ---------------------------------------------------------------------------------

interface Row {
  readonly store: string;
  readonly mode: Mode;
  readonly samples: readonly Sample[];
}

async function measureStore(under: StoreUnderTest): Promise<Row[]> {
  const samples: Record<Mode, Sample[]> = { none: [], 'api key': [], jwt: [] };
  for (const mode of MODES) await autocannon(under.targets[mode], 2); // warm-up: JIT, caches
  for (let round = 0; round < rounds; round += 1) {
    // Rotate the order, so that no mode always runs first (or last) in a round.
    const order = MODES.map((_, i) => MODES[(i + round) % MODES.length] as Mode);
    for (const mode of order) {
      const sample = await autocannon(under.targets[mode], duration);
      samples[mode].push(sample);
      process.stdout.write(
        `    ${under.store} round ${round + 1} ${mode.padEnd(7)}: ${sample.requestsPerSecond.toFixed(0)} req/s, p99 ${sample.p99.toFixed(1)} ms (load ${loadavg()[0]?.toFixed(1)})\n`,
      );
    }
  }
  return MODES.map((mode) => ({ store: under.store, mode, samples: samples[mode] }));
}

function printTable(rows: readonly Row[]): boolean {
  const lines = [
    '',
    '| store    | auth    | req/s (median) | p50 ms | p99 ms | vs none | requests | failed |',
    '|----------|---------|---------------:|-------:|-------:|--------:|---------:|-------:|',
  ];
  let met = true;
  for (const row of rows) {
    const none = rows.find((r) => r.store === row.store && r.mode === 'none');
    const rps = median(row.samples.map((s) => s.requestsPerSecond));
    const base = median((none?.samples ?? []).map((s) => s.requestsPerSecond));
    const ratio = rps / base;
    if (row.mode !== 'none' && ratio < 1 - TARGET_LOSS) met = false;
    lines.push(
      `| ${row.store.padEnd(8)} | ${row.mode.padEnd(7)} | ${rps.toFixed(0).padStart(14)} | ${median(
        row.samples.map((s) => s.p50),
      )
        .toFixed(1)
        .padStart(6)} | ${median(row.samples.map((s) => s.p99))
        .toFixed(1)
        .padStart(
          6,
        )} | ${ratio.toFixed(3).padStart(7)} | ${String(row.samples.reduce((n, s) => n + s.total, 0)).padStart(8)} | ${String(row.samples.reduce((n, s) => n + s.failed, 0)).padStart(6)} |`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  return met;
}

const idp = await startOidcTestProvider({
  audience: AUDIENCE,
  accessTokenTtlSeconds: 3600,
  serviceClients: {
    [BENCH_CLIENT]: { roles: ['evaluator'] },
    [ADMIN_CLIENT]: { roles: ['admin'] },
  },
});
const database = stores.includes('postgres') ? await createTestDatabase() : undefined;
const rows: Row[] = [];
try {
  process.stdout.write(
    `policy-gateway bench:auth: ${connections} connections, ${rounds} rounds of ${duration} s per mode and store, after a 2 s warm-up each; stores ${stores.join(', ')}\n`,
  );
  for (const store of stores) {
    process.stdout.write(
      `  ${store}: starting a gateway with authentication off and one with it on…\n`,
    );
    const under = await startStore(store, database, idp);
    try {
      rows.push(...(await measureStore(under)));
    } finally {
      await under.stop();
    }
  }
} finally {
  await database?.drop();
  await stopSharedEmbeddedTestServer();
  await idp.close();
}
const failed = rows.some((row) => row.samples.some((sample) => sample.failed > 0));
const met = printTable(rows);
process.stdout.write(
  `target: under ${TARGET_LOSS * 100}% fewer decisions/s with a key or a token than without: ${met ? 'MET' : 'MISSED'}${failed ? ' (some requests failed: see the failed column)' : ''}\n`,
);
