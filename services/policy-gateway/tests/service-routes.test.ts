import { afterEach, describe, expect, it } from 'vitest';
import { auditQuerySchema, evaluateBodySchema } from '../src/api/schemas.js';
import type { AuditStore, StoreHealth } from '../src/store/audit-store.js';
import { createMemoryStore } from '../src/store/memory-store.js';
import { buildTestApp, type TestApp } from './support/build-test-app.js';

let current: TestApp | undefined;
afterEach(async () => {
  await current?.app.close();
  current = undefined;
});

/** A durable store whose health the test dictates, as a database in each state would report. */
function storeReporting(health: StoreHealth): AuditStore {
  return {
    ...createMemoryStore(10),
    backend: 'postgres',
    durable: true,
    warnings: [],
    check: async () => health,
  };
}

describe('GET /health', () => {
  it('answers 200 ok while the process runs, whatever the store', async () => {
    current = await buildTestApp({
      store: storeReporting({ reachable: false, schema: 'unknown' }),
    });
    const response = await current.app.inject({ url: '/health' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok' });
  });
});

describe('GET /ready', () => {
  it('is ready on the memory store but says the entries are not durable', async () => {
    current = await buildTestApp();
    const response = await current.app.inject({ url: '/ready' });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({
      status: 'ready',
      store: { backend: 'memory', durable: false, reachable: true, schema: 'current' },
      policy: {
        engine: 'embedded',
        path: 'data.policy_gateway.decision',
        version: 'sha256:test-bundle',
      },
    });
    expect(body.warnings.join(' ')).toMatch(/lost on restart/);
  });

  const states = [
    {
      note: 'current schema',
      health: { reachable: true, schema: 'current' },
      status: 200,
      ready: 'ready',
    },
    {
      note: 'schema ahead of this build',
      health: { reachable: true, schema: 'ahead' },
      status: 200,
      ready: 'ready',
    },
    {
      note: 'schema behind this build',
      health: { reachable: true, schema: 'behind' },
      status: 503,
      ready: 'not_ready',
    },
    {
      note: 'unreachable database',
      health: { reachable: false, schema: 'unknown', problem: 'ECONNREFUSED' },
      status: 503,
      ready: 'not_ready',
    },
  ] as const;
  for (const s of states) {
    it(`answers ${s.status} ${s.ready} for a durable store with ${s.note}`, async () => {
      current = await buildTestApp({ store: storeReporting(s.health) });
      const response = await current.app.inject({ url: '/ready' });
      expect(response.statusCode).toBe(s.status);
      expect(response.json()).toMatchObject({
        status: s.ready,
        store: {
          backend: 'postgres',
          durable: true,
          reachable: s.health.reachable,
          schema: s.health.schema,
        },
      });
    });
  }

  it('tells the operator to migrate when the schema is behind', async () => {
    current = await buildTestApp({ store: storeReporting({ reachable: true, schema: 'behind' }) });
    const body = (await current.app.inject({ url: '/ready' })).json();
    expect(body.warnings.join(' ')).toContain('policy-gateway migrate');
  });

  it('counts the entries the memory store dropped to stay within its bound', async () => {
    current = await buildTestApp({ store: createMemoryStore(2) });
    const ready = async () => (await current!.app.inject({ url: '/ready' })).json().store;
    expect((await ready()).dropped_entries).toBe(0);
    for (const prompt of ['one', 'two', 'three', 'four', 'five']) {
      const response = await current.app.inject({
        method: 'POST',
        url: '/policy/evaluate',
        payload: { prompt, user_id: 'u' },
      });
      expect(response.statusCode).toBe(200);
    }
    expect((await ready()).dropped_entries).toBe(3);
  });

  it('has no dropped-entry count for a durable store, which drops nothing', async () => {
    current = await buildTestApp({ store: storeReporting({ reachable: true, schema: 'current' }) });
    const store = (await current.app.inject({ url: '/ready' })).json().store;
    expect(store).not.toHaveProperty('dropped_entries');
  });
});

describe('GET /openapi.json', () => {
  it('describes every route with the schemas the routes validate with', async () => {
    current = await buildTestApp();
    const document = (await current.app.inject({ url: '/openapi.json' })).json();
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths).sort()).toEqual(
      [
        '/',
        '/admin/keys',
        '/admin/keys/{id}/revoke',
        '/admin/subjects/{user_id}/erasure',
        '/governance/audit/{id}/original',
        '/logs',
        '/v1/data',
        '/v1/data/*',
        '/auth/config',
        '/auth/me',
        '/governance/access-log',
        '/governance/audit',
        '/governance/audit/{id}',
        '/governance/audit/{id}/proof',
        '/governance/audit/integrity',
        '/governance/audit/integrity/verify',
        '/governance/audit/export',
        '/governance/audit/stats',
        '/governance/audit/stream',
        '/governance/replays',
        '/governance/replays/{id}',
        '/governance/replays/{id}/changes',
        '/health',
        '/openapi.json',
        '/policy/evaluate',
        '/ready',
      ].sort(),
    );
    const evaluate = document.paths['/policy/evaluate'].post;
    // As JSON: the schema objects also carry TypeBox's symbol keys, which JSON does not.
    expect(evaluate.requestBody.content['application/json'].schema).toEqual(
      JSON.parse(JSON.stringify(evaluateBodySchema)),
    );
    expect(Object.keys(evaluate.responses).sort()).toEqual([
      '200',
      '400',
      '401',
      '403',
      '413',
      '415',
      '422',
      '503',
    ]);
    expect(evaluate.responses['503'].content['application/problem+json'].schema.required).toContain(
      'code',
    );
    // Every 503 the route answers is named, so that a client knows which ones to retry when.
    for (const code of [
      'POLICY_EVALUATION_FAILED',
      'AUDIT_STORE_UNAVAILABLE',
      'AUDIT_COMMIT_UNKNOWN',
      'TOO_MANY_EVALUATIONS',
    ]) {
      expect(evaluate.responses['503'].description).toContain(code);
    }
    const list = document.paths['/governance/audit'].get;
    expect(list.parameters.map((p: { name: string }) => p.name).sort()).toEqual(
      Object.keys(auditQuerySchema.properties).sort(),
    );
    expect(document.paths['/governance/audit/{id}'].get.parameters).toEqual([
      expect.objectContaining({ name: 'id', in: 'path', required: true }),
    ]);
  });
});

describe('CORS', () => {
  it('allows the Workbench origin and exposes the request id', async () => {
    current = await buildTestApp();
    const preflight = await current.app.inject({
      method: 'OPTIONS',
      url: '/policy/evaluate',
      headers: {
        origin: 'http://localhost:5173',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('http://localhost:5173');
    const get = await current.app.inject({
      url: '/governance/audit',
      headers: { origin: 'http://localhost:5173' },
    });
    expect(get.headers['access-control-allow-origin']).toBe('http://localhost:5173');
    expect(String(get.headers['access-control-expose-headers']).split(', ')).toEqual([
      'x-request-id',
      'idempotent-replayed',
      'retry-after',
    ]);
  });

  it('does not allow other origins', async () => {
    current = await buildTestApp();
    const response = await current.app.inject({
      url: '/governance/audit',
      headers: { origin: 'https://evil.example' },
    });
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('unknown routes', () => {
  it('answer 404 problem+json', async () => {
    current = await buildTestApp();
    const response = await current.app.inject({ method: 'DELETE', url: '/governance/audit' });
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json().code).toBe('NOT_FOUND');
  });
});
