/**
 * The audit trail survives the process: the real `policy-gateway` command runs as a child
 * process, decisions are read back over HTTP, the process is killed with SIGKILL, and a new
 * one still serves every entry (postgres and embedded) — or none (memory, as before).
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '@policy-gateway/governance-runtime/testing';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import {
  auditEntries,
  evaluate,
  type GatewayEnv,
  type GatewayProcess,
  runCli,
  startGateway,
} from './support/gateway-process.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function postgresEnv(): Promise<GatewayEnv> {
  const database: TestDatabase = await createTestDatabase();
  cleanups.push(() => database.drop());
  return { POLICY_GATEWAY_DATABASE_URL: database.url };
}

function embeddedEnv(): GatewayEnv {
  const dir = mkdtempSync(join(tmpdir(), 'pgw-embedded-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return { POLICY_GATEWAY_AUDIT_STORE_BACKEND: 'embedded', POLICY_GATEWAY_DATA_DIR: dir };
}

let template: Promise<string> | undefined;

/**
 * A data directory that `policy-gateway migrate` initialised. Initialising PGlite takes
 * seconds, so it is done once and copied for each test.
 */
async function migratedEmbeddedEnv(): Promise<GatewayEnv> {
  template ??= (async () => {
    const env = embeddedEnv();
    const migrate = await runCli(['migrate'], env);
    if (migrate.code !== 0) throw new Error(`migrate failed: ${migrate.stderr}`);
    return env.POLICY_GATEWAY_DATA_DIR ?? '';
  })();
  const env = embeddedEnv();
  cpSync(await template, env.POLICY_GATEWAY_DATA_DIR ?? '', { recursive: true });
  return env;
}

async function migratedPostgresEnv(): Promise<GatewayEnv> {
  const env = await postgresEnv();
  const migrate = await runCli(['migrate'], env);
  if (migrate.code !== 0) throw new Error(`migrate failed: ${migrate.stderr}`);
  return env;
}

async function gateway(env: GatewayEnv): Promise<GatewayProcess> {
  const started = await startGateway(env);
  cleanups.push(async () => {
    if (started.child.exitCode === null && started.child.signalCode === null) {
      await started.kill('SIGKILL');
    }
  });
  return started;
}

const prompts = [
  { prompt: 'test prompt', user_id: 'test-user' },
  { prompt: 'deploy with key AKIAIOSFODNN7EXAMPLE', user_id: 'ops', context: { app: 'cli' } },
  { prompt: 'summarise the meeting notes', user_id: 'test-user' },
];

describe.each([
  { backend: 'postgres', env: migratedPostgresEnv },
  { backend: 'embedded', env: migratedEmbeddedEnv },
])('with the $backend backend', ({ env: makeEnv }) => {
  it('keeps every decision across a SIGKILL and restart', async () => {
    const env = await makeEnv();
    const first = await gateway(env);
    const answers = [];
    for (const body of prompts) {
      const answer = await evaluate(first.url, body);
      expect(answer.status).toBe(200);
      answers.push(answer.body);
    }
    expect(answers.map((a) => a.decision)).toEqual(['allow', 'deny', 'allow']);
    const before = await auditEntries(first.url, 'limit=10');
    expect(before.map((e) => e.id)).toEqual(answers.map((a) => a.audit_id).reverse());
    expect(before[1]).toMatchObject({
      user_id: 'ops',
      decision: 'deny',
      action: 'policy.evaluate',
      policy_engine: 'embedded',
      // Stored masked: the key the policy found is replaced by a marker naming its kind.
      input: {
        prompt: 'deploy with key [secret.aws_access_key]',
        user_id: 'ops',
        context: { app: 'cli' },
      },
      masking: { redacted: [{ code: 'secret.aws_access_key', count: 1 }] },
      user_agent: 'persistence-test',
    });

    expect(await first.kill('SIGKILL')).toBe('SIGKILL');

    const second = await gateway(env);
    expect(await auditEntries(second.url, 'limit=10')).toEqual(before);
    const ready = (await (await fetch(`${second.url}/ready`)).json()) as Record<string, unknown>;
    expect(ready).toMatchObject({ status: 'ready', store: { durable: true, schema: 'current' } });
    await second.kill('SIGTERM');
  }, 180_000); // An embedded database migrates, starts and restarts (PGlite): up to a minute on a busy machine.
});

describe('with the memory backend', () => {
  it('loses the decisions on restart, and says so', async () => {
    const env = { POLICY_GATEWAY_AUDIT_STORE_BACKEND: 'memory' };
    const first = await gateway(env);
    expect(first.output()).toContain('lost on restart');
    expect((await evaluate(first.url, prompts[0] ?? {})).status).toBe(200);
    expect(await auditEntries(first.url)).toHaveLength(1);
    await first.kill('SIGKILL');

    const second = await gateway(env);
    expect(await auditEntries(second.url)).toEqual([]);
    const ready = (await (await fetch(`${second.url}/ready`)).json()) as { warnings: string[] };
    expect(ready.warnings.join(' ')).toContain('lost on restart');
  });
});

describe('start-up refusals', () => {
  it('refuses to serve an unmigrated database, telling the operator to run migrate, and creates nothing', async () => {
    const env = await postgresEnv();
    const result = await runCli(['serve'], { ...env, POLICY_GATEWAY_PORT: '0' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('schema is behind');
    expect(result.stderr).toContain('policy-gateway migrate');
    const client = new pg.Client({ connectionString: env.POLICY_GATEWAY_DATABASE_URL });
    await client.connect();
    const { rows } = await client.query(
      "select tablename from pg_tables where schemaname = 'public'",
    );
    await client.end();
    expect(rows).toEqual([]);
  });

  it('refuses a second gateway on the same data directory while the first serves', async () => {
    const env = await migratedEmbeddedEnv();
    const first = await gateway(env);
    const second = await runCli(['serve'], { ...env, POLICY_GATEWAY_PORT: '0' });
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(
      `is in use by another policy-gateway process (pid ${first.child.pid})`,
    );
    expect((await evaluate(first.url, prompts[0] ?? {})).status).toBe(200);
  });
});

describe('graceful shutdown', () => {
  it('on SIGTERM finishes the request in flight, commits its entry, and exits 0', async () => {
    // OPA cannot be installed here: this server answers as OPA's Data API does, slowly, so
    // that SIGTERM arrives while the evaluation is in flight.
    let received: () => void = () => {};
    const evaluationStarted = new Promise<void>((resolve) => {
      received = resolve;
    });
    const opa: Server = createServer((request, response) => {
      request.resume();
      received();
      setTimeout(() => {
        response.setHeader('content-type', 'application/json');
        response.end(
          JSON.stringify({ decision_id: 'opa-decision-1', result: { allow: true, reasons: [] } }),
        );
      }, 500);
    });
    await new Promise<void>((resolve) => opa.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => opa.close(() => resolve())));
    const { port } = opa.address() as { port: number };
    const env = await migratedEmbeddedEnv();

    const running = await gateway({ ...env, POLICY_GATEWAY_OPA_URL: `http://127.0.0.1:${port}` });
    const inFlight = evaluate(running.url, { prompt: 'slow one', user_id: 'u' });
    await evaluationStarted;
    running.child.kill('SIGTERM');
    const answer = await inFlight;
    expect(answer.status).toBe(200);
    expect(answer.body.decision_id).toBe('opa-decision-1');
    expect(await running.exited).toBe(0);

    const after = await gateway(env);
    const [entry] = await auditEntries(after.url);
    expect(entry).toMatchObject({ id: answer.body.audit_id, decision_id: 'opa-decision-1' });
  });
});
