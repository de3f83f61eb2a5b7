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
 * On a machine shared with other work, throughput moves with everyone else's load, so each
 * sample also reads the CPU time the gateway process spent (utime + stime of
 * /proc/<pid>/stat, all its threads) and divides it by the decisions answered: CPU per
 * decision barely depends on what else runs, and its ratio is the cost of authentication
 * in the gateway itself. (With PostgreSQL, an API key looked up in the database also costs the
 * server a primary-key lookup, which this figure does not include; the gateway's cache of key
 * records, `CachedApiKeyRepository`, answers a known key from memory instead.)
 *
 * Then the pairs: no authentication and one credential loaded at the same time, for the same
 * seconds, each by its own autocannon; both gateways then share the machine, and whatever else
 * runs on it, alike, so the ratio of their decisions/s is the steadiest comparison a shared
 * machine gives (BENCH_PAIRED_ROUNDS, 3).
 *
 * Last, the authentication path alone, in this process: microseconds per `authenticate()` of
 * the gateway's own authenticators (an API key in memory; in PostgreSQL looked up on every call,
 * one round trip each, and through the cache of records as the gateway reads it, listening for
 * changes; an RS256 JWT against the provider's cached keys), the median of batches. That is what
 * authentication adds to each decision, whatever else the machine is doing.
 *
 * Usage: npm run bench:auth -w services/policy-gateway
 *   BENCH_DURATION_SECONDS (10) per mode and round, BENCH_ROUNDS (3), BENCH_CONNECTIONS (16),
 *   BENCH_STORES (memory,postgres; empty: the path alone). The gateways run with their defaults (per-request logging
 *   at info, one evaluation worker) except POLICY_GATEWAY_EVAL_PER_CLIENT_LIMIT, raised to the
 *   connection count since every connection comes from 127.0.0.1, and POLICY_GATEWAY_WORKERS=1:
 *   one serve process each, whose CPU time is the one read. PostgreSQL is
 *   POLICY_GATEWAY_TEST_DATABASE_URL's server, or an embedded one when unset.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import {
  createTestDatabase,
  stopSharedEmbeddedTestServer,
  type TestDatabase,
} from '@policy-gateway/governance-runtime/testing';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { ApiKeyAuthenticator } from '../src/auth/api-key-authenticator.js';
import { ApiKeyManager } from '../src/auth/api-key-manager.js';
import type { ApiKeyRepository } from '../src/auth/api-key-repository.js';
import type { Authenticator } from '../src/auth/authenticator.js';
import { CachedApiKeyRepository } from '../src/auth/cached-api-key-repository.js';
import { MemoryApiKeyRepository } from '../src/auth/memory/memory-api-key-repository.js';
import { OidcAuthenticator } from '../src/auth/oidc-authenticator.js';
import { PostgresApiKeyChangeListener } from '../src/auth/postgres/postgres-api-key-change-listener.js';
import { PostgresApiKeyRepository } from '../src/auth/postgres/postgres-api-key-repository.js';
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
/** `BENCH_STORES=` (empty) measures the authentication path alone. */
const stores = (process.env.BENCH_STORES ?? 'memory,postgres').split(',').filter(Boolean);
const pairedRounds = Number(process.env.BENCH_PAIRED_ROUNDS ?? 3);
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
  /** The gateway's process id, whose CPU time is read. */
  readonly pid: number;
  /** The `Authorization` header, or none. */
  readonly authorization?: string;
}

interface Sample {
  readonly requestsPerSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly total: number;
  readonly failed: number;
  /** CPU time of the gateway process per answered decision, in ms. */
  readonly cpuMsPerDecision: number;
}

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}

/** Clock ticks per second of /proc's CPU times (`getconf CLK_TCK`: 100 on Linux). */
const CLOCK_TICKS_PER_SECOND = 100;

/** CPU time (user + system, every thread) a process has used so far, in ms. */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces; the fields after its ')' are fixed.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15)
  return (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
}

async function autocannon(target: Target, seconds: number): Promise<Sample> {
  const cpuBefore = cpuMs(target.pid);
  const result = await runAutocannon(target, seconds);
  const answered = result.total - result.failed;
  return { ...result, cpuMsPerDecision: (cpuMs(target.pid) - cpuBefore) / Math.max(answered, 1) };
}

function runAutocannon(target: Target, seconds: number): Promise<Omit<Sample, 'cpuMsPerDecision'>> {
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

function pidOf(gateway: GatewayProcess): number {
  if (gateway.child.pid === undefined) throw new Error('the gateway has no process id');
  return gateway.child.pid;
}

async function startStore(
  store: string,
  database: TestDatabase | undefined,
  idp: OidcTestProvider,
): Promise<StoreUnderTest> {
  const common: GatewayEnv = {
    ...storeEnv(store, database),
    POLICY_GATEWAY_EVAL_PER_CLIENT_LIMIT: String(Math.max(connections, 8)),
    // One process per gateway: its CPU time per decision is what the table reads.
    POLICY_GATEWAY_WORKERS: '1',
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
      none: { url: open.url, pid: pidOf(open) },
      'api key': { url: guarded.url, pid: pidOf(guarded), authorization: `Bearer ${apiKey}` },
      jwt: { url: guarded.url, pid: pidOf(guarded), authorization: `Bearer ${token}` },
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
        `    ${under.store} round ${round + 1} ${mode.padEnd(7)}: ${sample.requestsPerSecond.toFixed(0)} req/s, p99 ${sample.p99.toFixed(1)} ms, ${sample.cpuMsPerDecision.toFixed(3)} CPU ms/decision (load ${loadavg()[0]?.toFixed(1)})\n`,
      );
    }
  }
  return MODES.map((mode) => ({ store: under.store, mode, samples: samples[mode] }));
}

interface PairedRow {
  readonly store: string;
  readonly mode: Mode;
  /** Decisions/s with the credential ÷ without, each pair loaded at the same time. */
  readonly ratios: readonly number[];
}

async function measurePairs(under: StoreUnderTest): Promise<PairedRow[]> {
  const rows: PairedRow[] = [];
  for (const mode of MODES.filter((m) => m !== 'none')) {
    const ratios: number[] = [];
    for (let round = 0; round < pairedRounds; round += 1) {
      const [none, guarded] = await Promise.all([
        autocannon(under.targets.none, duration),
        autocannon(under.targets[mode], duration),
      ]);
      ratios.push(guarded.requestsPerSecond / none.requestsPerSecond);
      process.stdout.write(
        `    ${under.store} pair ${round + 1} none ${none.requestsPerSecond.toFixed(0)} req/s | ${mode} ${guarded.requestsPerSecond.toFixed(0)} req/s (load ${loadavg()[0]?.toFixed(1)})\n`,
      );
    }
    rows.push({ store: under.store, mode, ratios });
  }
  return rows;
}

function printPairs(rows: readonly PairedRow[]): boolean {
  let met = true;
  const lines = [
    '',
    '| store    | auth    | decisions/s vs none, loaded at the same time (median) | lowest | highest |',
    '|----------|---------|------------------------------------------------------:|-------:|--------:|',
  ];
  for (const row of rows) {
    const ratio = median(row.ratios);
    if (ratio < 1 - TARGET_LOSS) met = false;
    lines.push(
      `| ${row.store.padEnd(8)} | ${row.mode.padEnd(7)} | ${cell(ratio.toFixed(3), 53)} | ${cell(Math.min(...row.ratios).toFixed(3), 6)} | ${cell(Math.max(...row.ratios).toFixed(3), 7)} |`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  return met;
}

/** One table cell: `value` right-aligned in `width`. */
function cell(value: string, width: number): string {
  return value.padStart(width);
}

function printTable(rows: readonly Row[]): boolean {
  const lines = [
    '',
    '| store    | auth    | req/s (median) | vs none | p50 ms | p99 ms | CPU ms/decision | vs none | requests | failed |',
    '|----------|---------|---------------:|--------:|-------:|-------:|----------------:|--------:|---------:|-------:|',
  ];
  let met = true;
  for (const row of rows) {
    const none = rows.find((r) => r.store === row.store && r.mode === 'none')?.samples ?? [];
    const of = (samples: readonly Sample[], figure: (s: Sample) => number) =>
      median(samples.map(figure));
    const rps = of(row.samples, (s) => s.requestsPerSecond);
    const ratio = rps / of(none, (s) => s.requestsPerSecond);
    const cpu = of(row.samples, (s) => s.cpuMsPerDecision);
    const cpuRatio = cpu / of(none, (s) => s.cpuMsPerDecision);
    if (row.mode !== 'none' && ratio < 1 - TARGET_LOSS) met = false;
    const total = row.samples.reduce((n, s) => n + s.total, 0);
    const failed = row.samples.reduce((n, s) => n + s.failed, 0);
    const cells = [
      row.store.padEnd(8),
      row.mode.padEnd(7),
      cell(rps.toFixed(0), 14),
      cell(ratio.toFixed(3), 7),
      cell(of(row.samples, (s) => s.p50).toFixed(1), 6),
      cell(of(row.samples, (s) => s.p99).toFixed(1), 6),
      cell(cpu.toFixed(3), 15),
      cell(cpuRatio.toFixed(3), 7),
      cell(String(total), 8),
      cell(String(failed), 6),
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  return met;
}

// ---- the authentication path alone, in this process ------------------------------------------

const PATH_BATCHES = 7;
const PATH_CALLS = 1_000;

interface PathCost {
  /** Wall-clock µs per call: with PostgreSQL, the round trip a request waits for. */
  readonly wallUs: number;
  /** CPU µs per call in this process (user + system): what it takes from the gateway's CPU. */
  readonly cpuUs: number;
}

/** Medians over batches of one `authenticate(token)`; refuses a refused token. */
async function costPerCall(authenticator: Authenticator, token: string): Promise<PathCost> {
  const first = await authenticator.authenticate(token);
  if (first.principal === undefined) throw new Error(`token refused: ${first.refusal}`);
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let batch = 0; batch < PATH_BATCHES; batch += 1) {
    const started = process.hrtime.bigint();
    const cpuBefore = process.cpuUsage();
    for (let call = 0; call < PATH_CALLS; call += 1) await authenticator.authenticate(token);
    const used = process.cpuUsage(cpuBefore);
    wall.push(Number(process.hrtime.bigint() - started) / 1_000 / PATH_CALLS);
    cpu.push((used.user + used.system) / PATH_CALLS);
  }
  return { wallUs: median(wall), cpuUs: median(cpu) };
}

async function apiKeyPath(repository: ApiKeyRepository): Promise<PathCost> {
  const { key } = await new ApiKeyManager(repository).create({ role: 'evaluator', name: 'bench' });
  return costPerCall(new ApiKeyAuthenticator(repository), key);
}

/** As the gateway reads keys on a PostgreSQL server: through the cache, once it listens. */
async function cachedApiKeyPath(repository: ApiKeyRepository, url: string): Promise<PathCost> {
  const listener = new PostgresApiKeyChangeListener({ connectionString: url });
  const cached = new CachedApiKeyRepository(repository, listener, {
    ttlMs: 30_000,
    maxEntries: 10_000,
  });
  try {
    await cached.findById('NoSuchKey000');
    const deadline = Date.now() + 10_000;
    while (!listener.listening) {
      if (Date.now() > deadline) throw new Error('the change listener did not start listening');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return await apiKeyPath(cached);
  } finally {
    await cached.close();
  }
}

async function measureAuthenticationPath(
  database: TestDatabase | undefined,
  idp: OidcTestProvider,
): Promise<void> {
  const rows: [string, PathCost][] = [];
  rows.push(['API key, memory', await apiKeyPath(new MemoryApiKeyRepository())]);
  if (database !== undefined) {
    const pool = new pg.Pool({ connectionString: database.url, max: 1 });
    const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) });
    try {
      const repository = PostgresApiKeyRepository.over(db);
      rows.push(['API key, PostgreSQL, looked up every time', await apiKeyPath(repository)]);
      rows.push([
        'API key, PostgreSQL, cached (as serve)',
        await cachedApiKeyPath(repository, database.url),
      ]);
    } finally {
      await db.destroy();
    }
  }
  const oidc = new OidcAuthenticator({
    issuer: idp.issuer,
    audience: idp.audience,
    jwksUrl: idp.jwksUrl,
    jwksCacheSeconds: 600,
    rolesClaim: idp.rolesClaim,
    roleMap: undefined,
    clockSkewSeconds: 30,
    workbenchClientId: undefined,
  });
  rows.push([
    'OIDC JWT (RS256)',
    await costPerCall(oidc, await idp.clientCredentialsToken(BENCH_CLIENT)),
  ]);
  process.stdout.write(
    [
      '',
      `| authentication path alone (${PATH_BATCHES} × ${PATH_CALLS} calls) | wall µs/request | CPU µs/request |`,
      '|--------------------------------------------|----------------:|---------------:|',
      ...rows.map(
        ([name, cost]) =>
          `| ${name.padEnd(42)} | ${cell(cost.wallUs.toFixed(1), 15)} | ${cell(cost.cpuUs.toFixed(1), 14)} |`,
      ),
      '',
    ].join('\n'),
  );
}

const idp = await startOidcTestProvider({
  audience: AUDIENCE,
  accessTokenTtlSeconds: 3600,
  serviceClients: {
    [BENCH_CLIENT]: { roles: ['evaluator'] },
    [ADMIN_CLIENT]: { roles: ['admin'] },
  },
});
// PostgreSQL for the gateways, and for the path alone (keys in the api_keys table).
const database = await createTestDatabase();
const migrated = await runCli(['migrate'], { POLICY_GATEWAY_DATABASE_URL: database.url });
if (migrated.code !== 0) throw new Error(`migrate failed: ${migrated.stderr}`);
const rows: Row[] = [];
const pairs: PairedRow[] = [];
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
      pairs.push(...(await measurePairs(under)));
    } finally {
      await under.stop();
    }
  }
  process.stdout.write('  the authentication path alone…\n');
  await measureAuthenticationPath(database, idp);
} finally {
  await database.drop();
  await stopSharedEmbeddedTestServer();
  await idp.close();
}
const failed = rows.some((row) => row.samples.some((sample) => sample.failed > 0));
const metInTurn = printTable(rows);
const metPaired = printPairs(pairs);
const verdict = (met: boolean) => (met ? 'MET' : 'MISSED');
process.stdout.write(
  `target: under ${TARGET_LOSS * 100}% fewer decisions/s with a key or a token than without: ${verdict(metPaired)} loaded at the same time, ${verdict(metInTurn)} one after the other${failed ? ' (some requests failed: see the failed column)' : ''}\n`,
);
