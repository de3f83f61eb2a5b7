/**
 * `Idempotency-Key` on `POST /policy/evaluate`, as a client sees it, over the memory store and
 * a real PostgreSQL server: a retry with the same key and body answers the first decision and
 * records nothing; another body under the same key is refused; concurrent requests with one
 * key are recorded once; a failed evaluation does not use the key up.
 */
import { createTestDatabase, type TestDatabase } from '@policy-gateway/governance-runtime/testing';
import type { FastifyInstance } from 'fastify';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { loadSettings } from '../src/config/settings.js';
import { migrateToLatest } from '../src/db/migration-runner.js';
import type { PolicyEvaluation, PolicyInput } from '../src/policy/policy-engine.js';
import type { AuditStore } from '../src/store/audit-store.js';
import { createMemoryStore } from '../src/store/memory-store.js';
import { openAuditStore } from '../src/store/open-audit-store.js';
import { TEST_APP_SETTINGS } from './support/build-test-app.js';
import { ScriptedPolicyEngine } from './support/scripted-policy-engine.js';

const silent = pino({ level: 'silent' });

/** Fails its first evaluation of each prompt containing FLAKY, then decides as scripted. */
class FlakyPolicyEngine extends ScriptedPolicyEngine {
  readonly #failed = new Set<string>();

  override async evaluate(input: PolicyInput): Promise<PolicyEvaluation> {
    if (input.prompt.includes('FLAKY') && !this.#failed.has(input.prompt)) {
      this.#failed.add(input.prompt);
      this.inputs.push(input);
      return {
        decision: 'error',
        allow: false,
        reasons: [],
        result: null,
        error: 'OPA unreachable',
        latencyMs: 0.1,
      };
    }
    return super.evaluate(input);
  }
}

let database: TestDatabase | undefined;

const backends: { name: string; open: () => Promise<AuditStore> }[] = [
  { name: 'memory store', open: async () => createMemoryStore(100) },
  {
    name: 'PostgreSQL server',
    async open() {
      database ??= await createTestDatabase();
      const pool = new pg.Pool({ connectionString: database.url, max: 1 });
      const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) });
      await migrateToLatest(db);
      await db.destroy();
      const settings = loadSettings({ POLICY_GATEWAY_DATABASE_URL: database.url });
      return openAuditStore(settings.store, silent);
    },
  },
];

afterAll(async () => {
  await database?.drop();
});

describe.each(backends)('Idempotency-Key on POST /policy/evaluate ($name)', (backend) => {
  let app: FastifyInstance;
  let store: AuditStore;
  let engine: FlakyPolicyEngine;

  beforeAll(async () => {
    store = await backend.open();
  });
  afterAll(async () => {
    await store.close();
  });

  async function start(): Promise<void> {
    engine = new FlakyPolicyEngine();
    app = await buildApp({
      settings: TEST_APP_SETTINGS,
      // The store outlives each app: closing the app must not close it.
      store: { ...store, close: async () => {} },
      engine,
    });
  }
  afterEach(async () => {
    await app.close();
  });

  /** A fresh user per test, so that tests sharing the database do not see each other's keys. */
  let user = '';
  let sequence = 0;
  async function fresh(): Promise<void> {
    sequence += 1;
    user = `user-${backend.name.length}-${Date.now()}-${sequence}`;
    await start();
  }

  function evaluate(body: unknown, key?: string) {
    return app.inject({
      method: 'POST',
      url: '/policy/evaluate',
      headers: {
        'content-type': 'application/json',
        ...(key === undefined ? {} : { 'idempotency-key': key }),
      },
      payload: typeof body === 'string' ? body : JSON.stringify(body),
    });
  }

  async function recorded(): Promise<{ id: string; idempotencyKey: string | null }[]> {
    const page = await store.repository.query({ limit: 100, userId: user });
    return page.entries.map((e) => ({ id: e.id, idempotencyKey: e.idempotencyKey }));
  }

  it('answers a retry with the same key and body with the first decision, marked replayed, and records nothing new', async () => {
    await fresh();
    const body = { prompt: 'my SECRET key', user_id: user, context: { app: 'chat' } };
    const first = await evaluate(body, 'retry-1');
    expect(first.statusCode).toBe(200);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    expect(first.json()).toMatchObject({ decision: 'deny', reasons: [{ code: 'secret.api_key' }] });

    const retry = await evaluate(body, 'retry-1');
    expect(retry.statusCode).toBe(200);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.json()).toStrictEqual(first.json());
    expect(engine.inputs).toHaveLength(1);
    expect(await recorded()).toEqual([{ id: first.json().audit_id, idempotencyKey: 'retry-1' }]);
  });

  it('recognises the same request however its JSON is spaced or its members ordered, and the quoted key', async () => {
    await fresh();
    const first = await evaluate(
      `{"prompt":"hello","user_id":"${user}","context":{"a":1,"b":[1,2]}}`,
      'spacing',
    );
    const retry = await evaluate(
      `{ "context": { "b": [1, 2], "a": 1 }, "user_id": "${user}", "prompt": "hello" }`,
      '"spacing"',
    );
    expect(retry.statusCode).toBe(200);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.json().audit_id).toBe(first.json().audit_id);
    expect(await recorded()).toHaveLength(1);
  });

  it('refuses the same key with another body: 422 IDEMPOTENCY_KEY_REUSED, nothing evaluated or recorded', async () => {
    await fresh();
    await evaluate({ prompt: 'first', user_id: user }, 'reused');
    for (const other of [
      { prompt: 'second', user_id: user },
      { prompt: 'first', user_id: user, context: { extra: true } },
    ]) {
      const response = await evaluate(other, 'reused');
      expect(response.statusCode).toBe(422);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(response.json()).toMatchObject({
        code: 'IDEMPOTENCY_KEY_REUSED',
        field: 'Idempotency-Key',
      });
      expect(response.json()).not.toHaveProperty('audit_id');
    }
    expect(engine.inputs).toHaveLength(1);
    expect(await recorded()).toHaveLength(1);
  });

  it("keeps one user's key apart from another's", async () => {
    await fresh();
    const mine = await evaluate({ prompt: 'hello', user_id: user }, 'shared-key');
    const otherUser = `${user}-other`;
    const theirs = await evaluate({ prompt: 'hello', user_id: otherUser }, 'shared-key');
    expect(theirs.statusCode).toBe(200);
    expect(theirs.headers['idempotent-replayed']).toBeUndefined();
    expect(theirs.json().audit_id).not.toBe(mine.json().audit_id);
  });

  it('records concurrent requests with one key once and answers each with that decision', async () => {
    await fresh();
    const body = { prompt: 'at once', user_id: user };
    const responses = await Promise.all(
      Array.from({ length: 8 }, () => evaluate(body, 'concurrent')),
    );
    expect(responses.map((r) => r.statusCode)).toEqual(Array(8).fill(200));
    const auditIds = new Set(responses.map((r) => r.json().audit_id));
    expect(auditIds.size).toBe(1);
    const replayed = responses.filter((r) => r.headers['idempotent-replayed'] === 'true');
    expect(replayed).toHaveLength(7);
    expect(await recorded()).toEqual([{ id: [...auditIds][0], idempotencyKey: 'concurrent' }]);
  });

  it('lets a retry after a failed evaluation evaluate again, and keeps the failure on record', async () => {
    await fresh();
    const body = { prompt: 'FLAKY today', user_id: user };
    const failed = await evaluate(body, 'after-failure');
    expect(failed.statusCode).toBe(503);
    expect(failed.json().code).toBe('POLICY_EVALUATION_FAILED');
    const retry = await evaluate(body, 'after-failure');
    expect(retry.statusCode).toBe(200);
    expect(retry.headers['idempotent-replayed']).toBeUndefined();
    const again = await evaluate(body, 'after-failure');
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json().audit_id).toBe(retry.json().audit_id);
    expect(await recorded()).toHaveLength(2);
  });

  it('shows the key and the request digest in the audit entry, and null without a key', async () => {
    await fresh();
    const keyed = await evaluate({ prompt: 'hello', user_id: user }, 'shown');
    const entry = await app.inject({ url: `/governance/audit/${keyed.json().audit_id}` });
    expect(entry.json()).toMatchObject({
      idempotency_key: 'shown',
      request_digest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
    });
    const bare = await evaluate({ prompt: 'hello', user_id: user });
    const bareEntry = await app.inject({ url: `/governance/audit/${bare.json().audit_id}` });
    expect(bareEntry.json()).toMatchObject({ idempotency_key: null, request_digest: null });
  });

  it('records every request without a key, as before', async () => {
    await fresh();
    const body = { prompt: 'hello', user_id: user };
    await evaluate(body);
    await evaluate(body);
    expect(await recorded()).toHaveLength(2);
  });

  it('refuses a malformed key with 400 INVALID_IDEMPOTENCY_KEY before evaluating', async () => {
    await fresh();
    const response = await evaluate({ prompt: 'hello', user_id: user }, 'two words');
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({
      code: 'INVALID_IDEMPOTENCY_KEY',
      field: 'Idempotency-Key',
    });
    expect(engine.inputs).toHaveLength(0);
    expect(await recorded()).toHaveLength(0);
  });
});
