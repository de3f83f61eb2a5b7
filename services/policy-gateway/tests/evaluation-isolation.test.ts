/**
 * Evaluation cannot starve the gateway (issue 9): through the HTTP API, with the embedded
 * engine on worker threads and admission control, as the gateway composes them. A slow policy
 * ends in a recorded `error` while `/health` keeps answering; an overrunning thread is replaced;
 * beyond the limits a request is refused with 503 and Retry-After and nothing is recorded; and
 * closing the app leaves no thread behind.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import {
  EvaluationAdmission,
  type EvaluationAdmissionOptions,
} from '../src/api/evaluation-admission.js';
import { buildApp } from '../src/app.js';
import { overrunGraceMs, WorkerPolicyEngine } from '../src/policy/worker-policy-engine.js';
import type { AuditStore } from '../src/store/audit-store.js';
import { createMemoryStore } from '../src/store/memory-store.js';
import { TEST_APP_SETTINGS } from './support/build-test-app.js';
import { SLOW_POLICY_PATH, writeBundle } from './support/slow-policy-bundle.js';

interface IsolatedApp {
  readonly app: FastifyInstance;
  readonly store: AuditStore;
  readonly engine: WorkerPolicyEngine;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function isolatedApp(
  engineOptions: { timeoutMs: number; maxSteps?: number },
  limits: EvaluationAdmissionOptions = { concurrency: 1, queueLimit: 8, perClientLimit: 8 },
): Promise<IsolatedApp> {
  const bundle = await writeBundle();
  cleanups.push(bundle.remove);
  const engine = await WorkerPolicyEngine.start({
    bundleDir: bundle.dir,
    policyPath: SLOW_POLICY_PATH,
    threads: limits.concurrency,
    ...engineOptions,
  });
  const store = createMemoryStore(100);
  const app = await buildApp({
    settings: { ...TEST_APP_SETTINGS, maxPromptBytes: 1024 },
    store,
    engine,
    admission: new EvaluationAdmission(limits),
  });
  cleanups.push(() => app.close());
  return { app, store, engine };
}

function evaluate(app: FastifyInstance, prompt: string, remoteAddress = '127.0.0.1') {
  return app.inject({
    method: 'POST',
    url: '/policy/evaluate',
    remoteAddress,
    payload: { prompt, user_id: 'u-1' },
  });
}

async function storedEntries(store: AuditStore) {
  return (await store.repository.query({ limit: 100 })).entries;
}

describe('evaluation isolation', () => {
  it('ends a slow policy in a recorded error decision within its budget while /health keeps answering', async () => {
    const { app, store } = await isolatedApp({ timeoutMs: 2_000, maxSteps: 1e12 });

    const startedAt = performance.now();
    let settled = false;
    const slow = evaluate(app, 'spin').finally(() => {
      settled = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const healthLatencies: number[] = [];
    for (let i = 0; i < 5; i++) {
      const asked = performance.now();
      const health = await app.inject({ method: 'GET', url: '/health' });
      expect(health.statusCode).toBe(200);
      healthLatencies.push(performance.now() - asked);
    }
    const answeredWhileEvaluating = !settled;
    const answered = await slow;
    const took = performance.now() - startedAt;

    // On the main thread, /health would wait for the whole evaluation (2 s).
    expect(answeredWhileEvaluating).toBe(true);
    expect(Math.max(...healthLatencies)).toBeLessThan(1_000);
    expect(answered.statusCode).toBe(503);
    expect(answered.json()).toMatchObject({ code: 'POLICY_EVALUATION_FAILED' });
    expect(took).toBeGreaterThanOrEqual(2_000);
    const [entry] = await storedEntries(store);
    expect(entry).toMatchObject({ decision: 'error', id: answered.json().audit_id });
    // Stopped by the evaluator at its budget, not by the hard stop after the grace period.
    expect(entry?.error).toContain('exceeded its time budget');
    expect(entry?.latencyMs).toBeLessThan(2_000 + overrunGraceMs(2_000));
  });

  it('records an evaluation whose thread overran as error, and serves the next one on a new thread', async () => {
    const { app, store, engine } = await isolatedApp({ timeoutMs: 50 });

    const overran = await evaluate(app, 'builtin');
    const next = await evaluate(app, 'calm');

    expect(overran.statusCode).toBe(503);
    expect(overran.json()).toMatchObject({ code: 'POLICY_EVALUATION_FAILED' });
    expect(next.statusCode).toBe(200);
    expect(next.json()).toMatchObject({ decision: 'allow' });
    expect(engine.replacedThreads).toBe(1);
    const entries = await storedEntries(store);
    const failed = entries.find((entry) => entry.decision === 'error');
    expect(failed?.error).toContain('the thread was replaced');
    expect(failed?.id).toBe(overran.json().audit_id);
  });

  it('answers 503 with Retry-After and a problem once the queue is full, and records nothing for it', async () => {
    const { app, store } = await isolatedApp(
      { timeoutMs: 400, maxSteps: 1e12 },
      { concurrency: 1, queueLimit: 1, perClientLimit: 10 },
    );

    const running = evaluate(app, 'spin', '10.0.0.1');
    const waiting = evaluate(app, 'spin', '10.0.0.2');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const refused = await evaluate(app, 'calm', '10.0.0.3');

    expect(refused.statusCode).toBe(503);
    expect(refused.headers['retry-after']).toBe('1');
    expect(refused.headers['content-type']).toContain('application/problem+json');
    expect(refused.json()).toMatchObject({
      type: 'urn:policy-gateway:problem:too-many-evaluations',
      status: 503,
      code: 'TOO_MANY_EVALUATIONS',
      request_id: refused.headers['x-request-id'],
    });
    expect(refused.json().detail).toContain('POLICY_GATEWAY_EVAL_QUEUE_LIMIT');
    expect((await running).statusCode).toBe(503);
    expect((await waiting).statusCode).toBe(503);
    const entries = await storedEntries(store);
    expect(entries.map((entry) => entry.clientAddress).sort()).toEqual(['10.0.0.1', '10.0.0.2']);
    // With its turn free again, the same client is served.
    expect((await evaluate(app, 'calm', '10.0.0.3')).statusCode).toBe(200);
  });

  it('refuses a client over its own limit while serving another client', async () => {
    const { app, store } = await isolatedApp(
      { timeoutMs: 400, maxSteps: 1e12 },
      { concurrency: 1, queueLimit: 10, perClientLimit: 1 },
    );

    const first = evaluate(app, 'spin', '10.0.0.1');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const second = await evaluate(app, 'calm', '10.0.0.1');
    const other = await evaluate(app, 'calm', '10.0.0.2');

    expect(second.statusCode).toBe(503);
    expect(second.headers['retry-after']).toBe('1');
    expect(second.json()).toMatchObject({ code: 'TOO_MANY_EVALUATIONS' });
    expect(second.json().detail).toContain('POLICY_GATEWAY_EVAL_PER_CLIENT_LIMIT');
    expect(other.statusCode).toBe(200);
    expect((await first).statusCode).toBe(503);
    expect(await storedEntries(store)).toHaveLength(2);
  });

  it('leaves no thread behind once the app is closed: the process exits by itself', async () => {
    const bundle = await writeBundle();
    cleanups.push(bundle.remove);
    const script = fileURLToPath(new URL('./support/evaluate-once-and-close.ts', import.meta.url));

    const exit = await new Promise<{ code: number | null; output: string }>((resolve) => {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', script, bundle.dir, SLOW_POLICY_PATH, 'app'],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let output = '';
      child.stdout.on('data', (chunk) => {
        output += chunk;
      });
      child.stderr.on('data', (chunk) => {
        output += chunk;
      });
      // A thread left running keeps the process alive: it would never exit.
      const timer = setTimeout(() => child.kill('SIGKILL'), 45_000);
      child.on('exit', (code) => {
        clearTimeout(timer);
        resolve({ code, output });
      });
    });

    expect(exit.output).toContain('allow');
    expect(exit.code).toBe(0);
  });
});
