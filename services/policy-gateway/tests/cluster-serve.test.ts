/**
 * `serve` on every core (issue 12): real `policy-gateway serve` processes with two workers on a
 * PostgreSQL server and on the memory store. Both workers answer, each with its own chain that
 * `audit verify` finds intact; SIGTERM lets the decisions in flight finish and record; a killed
 * worker is replaced; the memory store's reads see every worker's entries; `/metrics`
 * answers for both workers; and each worker starts with the young generation it is given.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '@policy-gateway/governance-runtime/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  auditEntries,
  evaluate,
  type GatewayProcess,
  runCli,
  startGateway,
} from './support/gateway-process.js';
import { SLOW_POLICY_PATH, writeBundle } from './support/slow-policy-bundle.js';

let database: TestDatabase;
let dataDir: string;
let env: Record<string, string>;

beforeAll(async () => {
  database = await createTestDatabase();
  dataDir = await mkdtemp(join(tmpdir(), 'policy-gateway-cluster-'));
  env = {
    POLICY_GATEWAY_DATA_DIR: dataDir,
    POLICY_GATEWAY_AUDIT_STORE_BACKEND: 'postgres',
    POLICY_GATEWAY_DATABASE_URL: database.url,
    POLICY_GATEWAY_WORKERS: '2',
  };
  const migrated = await runCli(['migrate'], env);
  expect(migrated.code, migrated.stdout + migrated.stderr).toBe(0);
}, 120_000);

afterAll(async () => {
  await database?.drop();
  if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
});

/** `count` decisions, four at a time; the audit ids of those answered 200. */
async function decide(url: string, count: number, prompt = 'hello'): Promise<string[]> {
  const ids: string[] = [];
  for (let start = 0; start < count; start += 4) {
    const answers = await Promise.all(
      Array.from({ length: Math.min(4, count - start) }, (_, i) =>
        evaluate(url, { prompt, user_id: `user-${(start + i) % 3}` }),
      ),
    );
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      ids.push(answer.body.audit_id as string);
    }
  }
  return ids;
}

/** Waits until the process's output matches `pattern` (at most `timeoutMs`). */
async function outputMatching(
  gateway: GatewayProcess,
  pattern: RegExp,
  timeoutMs = 90_000,
): Promise<RegExpExecArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = pattern.exec(gateway.output());
    if (match !== null) return match;
    if (Date.now() > deadline) throw new Error(`no ${pattern} in:\n${gateway.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function instancesOf(ids: readonly string[]): Promise<Map<string, string>> {
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    const { rows } = await client.query<{ id: string; gateway_instance: string }>(
      'select id, gateway_instance from audit_log_entries where id = any($1::uuid[])',
      [ids],
    );
    return new Map(rows.map((row) => [row.id, row.gateway_instance]));
  } finally {
    await client.end();
  }
}

/** The command lines (argv) of a process's children, from Linux's /proc. */
async function commandLinesOfChildren(pid: number): Promise<string[][]> {
  const children = (await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8')).trim();
  return Promise.all(
    children
      .split(/\s+/)
      .filter((child) => child !== '')
      .map(async (child) =>
        (await readFile(`/proc/${child}/cmdline`, 'utf8')).split('\0').filter(Boolean),
      ),
  );
}

describe('serve with two workers on PostgreSQL', () => {
  it('answers from both workers, each entry committed in its worker chain, and the trail verifies', async () => {
    const gateway = await startGateway(env);
    await outputMatching(gateway, /serving from 2 worker processes/);
    const ids = await decide(gateway.url, 24);
    const instances = await instancesOf(ids);
    expect(instances.size).toBe(24);
    // Connections are handed out round-robin: both workers decided, each under its own name.
    expect(new Set(instances.values()).size).toBe(2);
    for (const instance of instances.values()) expect(instance).toMatch(/\/[12]$/);
    // Each worker's heap has the young generation POLICY_GATEWAY_WORKER_SEMI_SPACE_MB gives it.
    const workers = await commandLinesOfChildren(gateway.child.pid!);
    expect(workers).toHaveLength(2);
    for (const argv of workers) expect(argv).toContain('--max-semi-space-size=64');
    expect(await gateway.kill('SIGTERM')).toBe(0);
    const verified = await runCli(['audit', 'verify'], env);
    expect(verified.stdout).toMatch(
      /^checked \d+ entries in \d+ chains, \d+ checkpoints: intact\n$/,
    );
    expect(verified.code).toBe(0);
  }, 240_000);

  it('finishes and records the decisions in flight when told to stop with SIGTERM', async () => {
    const bundle = await writeBundle();
    try {
      const gateway = await startGateway({
        ...env,
        POLICY_GATEWAY_POLICY_BUNDLE_DIR: bundle.dir,
        POLICY_GATEWAY_POLICY_PATH: SLOW_POLICY_PATH,
        // Generous: the evaluations must finish, not time out, however loaded the machine.
        POLICY_GATEWAY_EVAL_TIMEOUT_MS: '60000',
      });
      await outputMatching(gateway, /serving from 2 worker processes/);
      // Slow evaluations (a few long builtin calls each), so that some are running at SIGTERM.
      const inFlight = Array.from({ length: 8 }, (_, i) =>
        evaluate(gateway.url, { prompt: 'builtin', user_id: `user-${i}` }).catch(() => undefined),
      );
      // Every request has reached a worker (each logs its arrival) before the signal.
      await outputMatching(gateway, /(?:"msg":"incoming request"[\s\S]*){8}/);
      const exited = gateway.kill('SIGTERM');
      const answers = await Promise.all(inFlight);
      expect(await exited).toBe(0);
      const answered = answers.filter((answer) => answer?.status === 200);
      expect(
        answered.length,
        JSON.stringify(answers.map((answer) => answer?.body ?? 'no answer')),
      ).toBe(answers.length);
      const ids = answered.map((answer) => answer?.body.audit_id as string);
      // None lost: every decision answered 200 is in the trail.
      expect((await instancesOf(ids)).size).toBe(ids.length);
    } finally {
      await bundle.remove();
    }
  }, 240_000);

  it('starts a new worker in place of one that was killed', async () => {
    const gateway = await startGateway(env);
    try {
      const serving = await outputMatching(gateway, /"pids":\[(\d+),(\d+)\]/);
      const killed = Number(serving[1]);
      process.kill(killed, 'SIGKILL');
      await outputMatching(
        gateway,
        new RegExp(`worker 1 \\(pid ${killed}\\) ended \\(signal SIGKILL\\); starting a new one`),
      );
      // The new worker 1 says it listens (a second line for /1 after the kill).
      await outputMatching(
        gateway,
        /"instance":"[^"]*\/1","url"[\s\S]*"instance":"[^"]*\/1","url"/,
      );
      const ids = await decide(gateway.url, 12);
      const instances = await instancesOf(ids);
      expect(new Set(instances.values()).size).toBe(2);
    } finally {
      expect(await gateway.kill('SIGTERM')).toBe(0);
    }
  }, 240_000);

  it('answers GET /metrics with the series of both workers', async () => {
    const gateway = await startGateway(env);
    try {
      await outputMatching(gateway, /serving from 2 worker processes/);
      await decide(gateway.url, 8);
      const response = await fetch(`${gateway.url}/metrics`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('text/plain');
      const text = await response.text();
      for (const worker of ['1', '2']) {
        expect(text).toMatch(
          new RegExp(
            `policy_gateway_decisions_total\\{decision="allow",[^}]*worker="${worker}"\\} \\d+`,
          ),
        );
        expect(text).toContain(`process_resident_memory_bytes{worker="${worker}"}`);
      }
      const decided = [...text.matchAll(/^policy_gateway_decisions_total\{[^}]*\} (\d+)$/gm)];
      expect(decided.reduce((sum, match) => sum + Number(match[1]), 0)).toBe(8);
      expect(text).toMatch(/^policy_gateway_audit_batch_entries_count\{worker="1"\} \d+$/m);
    } finally {
      expect(await gateway.kill('SIGTERM')).toBe(0);
    }
  }, 240_000);
});

describe('serve with two workers on the memory store', () => {
  it('reads every worker entries, through the one store the primary keeps', async () => {
    const gateway = await startGateway({
      POLICY_GATEWAY_DATA_DIR: dataDir,
      POLICY_GATEWAY_AUDIT_STORE_BACKEND: 'memory',
      POLICY_GATEWAY_WORKERS: '2',
    });
    try {
      await outputMatching(gateway, /serving from 2 worker processes/);
      const ids = await decide(gateway.url, 12);
      const listed = await auditEntries(gateway.url, 'limit=50');
      expect(listed.map((entry) => entry.id).sort()).toEqual([...ids].sort());
      expect(new Set(listed.map((entry) => entry.gateway_instance)).size).toBe(2);
      // Each entry by id, whichever worker takes the read.
      for (const id of ids.slice(0, 4)) {
        const response = await fetch(`${gateway.url}/governance/audit/${id}`);
        expect(response.status).toBe(200);
      }
    } finally {
      expect(await gateway.kill('SIGTERM')).toBe(0);
    }
  }, 240_000);
});

describe('serve with two workers, stopped while starting', () => {
  it('stops every worker, the one still starting included, and exits 0', async () => {
    // Resolves when worker 1 listens; worker 2 starts only then.
    const gateway = await startGateway({
      POLICY_GATEWAY_DATA_DIR: dataDir,
      POLICY_GATEWAY_AUDIT_STORE_BACKEND: 'memory',
      POLICY_GATEWAY_WORKERS: '2',
    });
    expect(gateway.output()).not.toContain('serving from 2 worker processes');
    expect(await gateway.kill('SIGTERM')).toBe(0);
    expect(gateway.output()).toContain('stopped: every worker finished');
  }, 240_000);
});

describe('serve with the embedded database', () => {
  it('refuses more than one worker with one line', async () => {
    const result = await runCli(['serve'], {
      POLICY_GATEWAY_DATA_DIR: join(dataDir, 'embedded'),
      POLICY_GATEWAY_AUDIT_STORE_BACKEND: 'embedded',
      POLICY_GATEWAY_WORKERS: '2',
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^policy-gateway: refusing to start: POLICY_GATEWAY_WORKERS=2 cannot be used with the embedded database[^\n]*\n$/,
    );
  }, 60_000);
});
