/**
 * Does evaluation starve the gateway? Starts the real gateway as a child process, then, from
 * three other processes (so that no client's own work skews another's clock):
 *   - a hostile client: BENCH_HOSTILE_CONNECTIONS (16) connections sending worst-case prompts
 *     back to back from 127.0.0.2, ignoring Retry-After (BENCH_HOSTILE_RETRY_AFTER=honour makes
 *     a refused connection wait as told; BENCH_HOSTILE_ADDRESSES=16 spreads the connections over
 *     16 client addresses, 127.0.1.x, so that the per-client limit no longer binds them);
 *   - an ordinary client: short prompts at a steady BENCH_ORDINARY_RPS (20/s), from 127.0.0.3;
 *   - a prober: `GET /health` and `GET /ready`, BENCH_PROBE_RPS (20/s) each, from 127.0.0.4.
 * Prints p50/p99/max per client, the 503s with Retry-After (intended refusals) and every other
 * failure, then PASS/FAIL against the targets: ordinary p99 < 50 ms, /health p99 < 20 ms, no
 * failure other than a 503 with Retry-After. Loopback only; distinct 127.x addresses make
 * them distinct clients to the gateway, as separate machines would be.
 *
 * Usage: npm run bench:isolation -w services/policy-gateway
 *   BENCH_DURATION_SECONDS (30), BENCH_HOSTILE_CONNECTIONS (16), BENCH_ORDINARY_RPS (20),
 *   BENCH_PROBE_RPS (20). Any POLICY_GATEWAY_* variable set when running it is passed to the
 *   gateway (e.g. POLICY_GATEWAY_EVAL_WORKERS=2); the audit store is `memory` unless set.
 *
 * The worst-case prompts are as long as the shipped policy still scans (its
 * `max_prompt_chars`, 16,000 characters; a longer prompt is denied for its length without a
 * scan) and made of the shapes that cost its regular expressions most: `-eyJ` runs before
 * `.eyJab` (the JWT pattern), `a.` runs before `@` after an emoji (the e-mail pattern), digit
 * groups (the numeric spans and the card pattern), IBAN- and SSN-like groups.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import http from 'node:http';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { type GatewayEnv, startGateway } from '../tests/support/gateway-process.js';

const TARGET_ORDINARY_P99_MS = 50;
const TARGET_HEALTH_P99_MS = 20;
/** The shipped policy's `data.policy_gateway.limits.max_prompt_chars`, minus a margin. */
const WORST_CASE_CHARS = 15_990;

const ORDINARY_BODY = JSON.stringify({
  prompt:
    'Summarise the attached quarterly report for the board. Focus on revenue by region, the ' +
    'churn figures, and the three largest risks named by the auditors. Keep it under 200 words.',
  user_id: 'ordinary-user',
  context: { app: 'bench', tenant: 'acme' },
});

/** `unit` repeated to `WORST_CASE_CHARS` code points, between `head` and `tail`. */
function craft(unit: string, head = '', tail = ''): string {
  const room = WORST_CASE_CHARS - [...head].length - [...tail].length;
  return head + unit.repeat(Math.floor(room / [...unit].length)) + tail;
}

function worstCaseBodies(): string[] {
  return [
    craft('-eyJ', '', '.eyJab'),
    craft('-eyJ', '😀', '.eyJab'),
    craft('a.', '😀', '@'),
    craft('1 2 3 4 5 6 7 8 '),
    craft('DE12 ', '😀'),
    craft('4111-1111-1111-111 ', '😀'),
    craft('123-45-', '😀'),
    craft('2 3 4 5 6 7 8 9 ', '😀'),
  ].map((prompt) => JSON.stringify({ prompt, user_id: 'hostile-user', context: {} }));
}

// ---- the client side: one role per process ---------------------------------------------------

interface Sample {
  readonly ms: number;
  /** `ok`, `refused` (503 with Retry-After), or what went wrong. */
  readonly outcome: string;
}

interface RoleReport {
  readonly role: string;
  readonly samples: Record<string, Sample[]>;
}

function send(
  agent: http.Agent,
  url: URL,
  method: 'GET' | 'POST',
  body: string | undefined,
): Promise<Sample> {
  const started = performance.now();
  return new Promise((resolve) => {
    const request = http.request(
      url,
      {
        agent,
        method,
        headers:
          body === undefined
            ? {}
            : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const ms = performance.now() - started;
          const status = response.statusCode ?? 0;
          if (status === 200) return resolve({ ms, outcome: 'ok' });
          if (status === 503 && response.headers['retry-after'] !== undefined) {
            return resolve({ ms, outcome: 'refused' });
          }
          let code = '';
          try {
            code = String(
              (JSON.parse(Buffer.concat(chunks).toString()) as { code?: unknown }).code,
            );
          } catch {
            code = 'unparsable body';
          }
          resolve({ ms, outcome: `${status} ${code}` });
        });
        response.on('error', (error) =>
          resolve({ ms: performance.now() - started, outcome: `response ${error.message}` }),
        );
      },
    );
    request.on('error', (error: NodeJS.ErrnoException) =>
      resolve({ ms: performance.now() - started, outcome: `error ${error.code ?? error.message}` }),
    );
    request.end(body);
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Requests at a steady rate, each sent on schedule whatever the previous one is doing. */
async function steady(
  rate: number,
  until: number,
  fire: () => Promise<Sample>,
  samples: Sample[],
): Promise<void> {
  const pending: Promise<void>[] = [];
  const interval = 1000 / rate;
  let next = performance.now();
  while (next < until) {
    pending.push(fire().then((sample) => void samples.push(sample)));
    next += interval;
    await sleep(Math.max(0, next - performance.now()));
  }
  await Promise.all(pending);
}

async function runRole(role: string, base: URL, seconds: number): Promise<RoleReport> {
  const until = performance.now() + seconds * 1000;
  if (role === 'hostile') {
    const connections = Number(process.env.BENCH_HOSTILE_CONNECTIONS ?? 16);
    const addresses = Number(process.env.BENCH_HOSTILE_ADDRESSES ?? 1);
    const honour = process.env.BENCH_HOSTILE_RETRY_AFTER === 'honour';
    const agents = Array.from(
      { length: addresses },
      (_, n) =>
        new http.Agent({
          keepAlive: true,
          maxSockets: connections,
          localAddress: addresses === 1 ? '127.0.0.2' : `127.0.1.${n + 1}`,
        }),
    );
    const bodies = worstCaseBodies();
    const url = new URL('/policy/evaluate', base);
    const samples: Sample[] = [];
    await Promise.all(
      Array.from({ length: connections }, async (_, connection) => {
        const agent = agents[connection % addresses]!;
        for (let i = connection; performance.now() < until; i++) {
          const sample = await send(agent, url, 'POST', bodies[i % bodies.length]);
          samples.push(sample);
          if (honour && sample.outcome === 'refused') await sleep(1000);
        }
      }),
    );
    for (const agent of agents) agent.destroy();
    return { role, samples: { hostile: samples } };
  }
  if (role === 'ordinary') {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 8, localAddress: '127.0.0.3' });
    const url = new URL('/policy/evaluate', base);
    const samples: Sample[] = [];
    const rate = Number(process.env.BENCH_ORDINARY_RPS ?? 20);
    await steady(rate, until, () => send(agent, url, 'POST', ORDINARY_BODY), samples);
    agent.destroy();
    return { role, samples: { ordinary: samples } };
  }
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8, localAddress: '127.0.0.4' });
  const rate = Number(process.env.BENCH_PROBE_RPS ?? 20);
  const health: Sample[] = [];
  const ready: Sample[] = [];
  await Promise.all([
    steady(rate, until, () => send(agent, new URL('/health', base), 'GET', undefined), health),
    steady(rate, until, () => send(agent, new URL('/ready', base), 'GET', undefined), ready),
  ]);
  agent.destroy();
  return { role, samples: { '/health': health, '/ready': ready } };
}

// ---- the conductor ---------------------------------------------------------------------------

function spawnRole(role: string, url: string, seconds: number): Promise<RoleReport> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(import.meta.url), '--role', role, url, String(seconds)],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout?.on('data', (chunk) => {
      out += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`the ${role} client exited ${code}`));
      else resolve(JSON.parse(out) as RoleReport);
    });
  });
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return (
    sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN
  );
}

interface Summary {
  readonly name: string;
  readonly count: number;
  readonly ok: number;
  readonly refused: number;
  readonly failures: ReadonlyMap<string, number>;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

function summarise(name: string, samples: readonly Sample[]): Summary {
  const sorted = samples.map((sample) => sample.ms).sort((a, b) => a - b);
  const failures = new Map<string, number>();
  for (const { outcome } of samples) {
    if (outcome !== 'ok' && outcome !== 'refused')
      failures.set(outcome, (failures.get(outcome) ?? 0) + 1);
  }
  return {
    name,
    count: samples.length,
    ok: samples.filter((sample) => sample.outcome === 'ok').length,
    refused: samples.filter((sample) => sample.outcome === 'refused').length,
    failures,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? Number.NaN,
  };
}

async function conduct(): Promise<number> {
  const seconds = Number(process.env.BENCH_DURATION_SECONDS ?? 30);
  const gatewayEnv: GatewayEnv = {
    POLICY_GATEWAY_AUDIT_STORE_BACKEND: 'memory',
    POLICY_GATEWAY_MEMORY_STORE_MAX_ENTRIES: '10000',
    ...Object.fromEntries(
      Object.entries(process.env).filter(
        (entry): entry is [string, string] =>
          entry[0].startsWith('POLICY_GATEWAY_') && entry[1] !== undefined,
      ),
    ),
  };
  delete gatewayEnv.POLICY_GATEWAY_TEST_DATABASE_URL;
  const gateway = await startGateway(gatewayEnv);
  const settings = Object.entries(gatewayEnv)
    .map(([name, value]) => `${name}=${value}`)
    .join(' ');
  const hostile = `${process.env.BENCH_HOSTILE_CONNECTIONS ?? 16} hostile connections from ${process.env.BENCH_HOSTILE_ADDRESSES ?? 1} address(es), ${process.env.BENCH_HOSTILE_RETRY_AFTER === 'honour' ? 'honouring' : 'ignoring'} Retry-After`;
  process.stdout.write(
    `policy-gateway isolation bench: ${seconds} s, ${hostile}; load average before ${loadavg()
      .map((load) => load.toFixed(2))
      .join(' ')}\n  gateway: ${settings}\n`,
  );
  try {
    // Warm-up: compile, JIT and (where there are workers) start every thread.
    const agent = new http.Agent({ keepAlive: true });
    for (const body of [...worstCaseBodies(), ...Array(20).fill(ORDINARY_BODY)]) {
      await send(agent, new URL('/policy/evaluate', gateway.url), 'POST', body);
    }
    agent.destroy();
    const reports = await Promise.all(
      ['hostile', 'ordinary', 'probe'].map((role) => spawnRole(role, gateway.url, seconds)),
    );
    const summaries = reports.flatMap((report) =>
      Object.entries(report.samples).map(([name, samples]) => summarise(name, samples)),
    );
    const cell = (value: number) => value.toFixed(1).padStart(7);
    process.stdout.write(
      [
        '',
        '| client   | requests |   200 | 503+Retry-After | other failures | p50 ms  | p99 ms  | max ms  |',
        '|----------|----------|-------|-----------------|----------------|---------|---------|---------|',
        ...summaries.map(
          (s) =>
            `| ${s.name.padEnd(8)} | ${String(s.count).padStart(8)} | ${String(s.ok).padStart(5)} | ${String(s.refused).padStart(15)} | ${String([...s.failures.values()].reduce((a, b) => a + b, 0)).padStart(14)} | ${cell(s.p50)} | ${cell(s.p99)} | ${cell(s.max)} |`,
        ),
        '',
      ].join('\n'),
    );
    for (const s of summaries) {
      for (const [outcome, count] of s.failures) {
        process.stdout.write(`  ${s.name}: ${count} × ${outcome}\n`);
      }
    }
    const by = (name: string) => summaries.find((s) => s.name === name)!;
    const failures = summaries.reduce((sum, s) => sum + s.failures.size, 0);
    const checks: [string, boolean][] = [
      [
        `ordinary p99 ${by('ordinary').p99.toFixed(1)} ms < ${TARGET_ORDINARY_P99_MS} ms`,
        by('ordinary').p99 < TARGET_ORDINARY_P99_MS,
      ],
      [
        `/health p99 ${by('/health').p99.toFixed(1)} ms < ${TARGET_HEALTH_P99_MS} ms`,
        by('/health').p99 < TARGET_HEALTH_P99_MS,
      ],
      ['no failure other than 503 with Retry-After', failures === 0],
      [
        `every ordinary request answered 200 (${by('ordinary').ok}/${by('ordinary').count})`,
        by('ordinary').ok === by('ordinary').count,
      ],
    ];
    process.stdout.write('\n');
    for (const [what, passed] of checks) {
      process.stdout.write(`${passed ? 'PASS' : 'FAIL'}  ${what}\n`);
    }
    process.stdout.write(
      `load average after ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}\n`,
    );
    return checks.every(([, passed]) => passed) ? 0 : 1;
  } finally {
    await gateway.kill('SIGTERM');
  }
}

const roleAt = process.argv.indexOf('--role');
if (roleAt !== -1) {
  const [role, url, seconds] = process.argv.slice(roleAt + 1);
  const report = await runRole(role!, new URL(url!), Number(seconds));
  process.stdout.write(JSON.stringify(report));
} else {
  process.exitCode = await conduct();
}
