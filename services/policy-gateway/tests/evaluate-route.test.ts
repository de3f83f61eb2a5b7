import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import {
  DEFAULT_POLICY_BUNDLE_DIR,
  DEFAULT_POLICY_PATH,
} from '../src/policy/create-policy-engine.js';
import { EmbeddedPolicyEngine } from '../src/policy/embedded-policy-engine.js';
import { createMemoryStore } from '../src/store/memory-store.js';
import { buildTestApp, TEST_APP_SETTINGS, type TestApp } from './support/build-test-app.js';
import { FailingRepository, failingStore } from './support/failing-repository.js';

let current: TestApp | undefined;
async function testApp(...args: Parameters<typeof buildTestApp>): Promise<TestApp> {
  current = await buildTestApp(...args);
  return current;
}
afterEach(async () => {
  await current?.app.close();
  current = undefined;
});

async function storedEntries(app: TestApp) {
  const page = await app.store.repository.query({ limit: 1000 });
  return page.entries;
}

describe('POST /policy/evaluate', () => {
  it('answers the decision only after committing an audit entry that records the request', async () => {
    const t = await testApp();
    const response = await t.app.inject({
      method: 'POST',
      url: '/policy/evaluate',
      headers: { 'user-agent': 'curl/8.5', 'x-request-id': 'req-abc-123' },
      payload: { prompt: 'summarise this', user_id: 'alice', context: { app: 'chat' } },
    });
    expect(response.statusCode).toBe(200);
    const requestId = response.headers['x-request-id'];
    expect(requestId).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    const body = response.json();
    expect(body).toMatchObject({
      allow: true,
      decision: 'allow',
      reasons: [],
      policy: {
        path: 'data.policy_gateway.decision',
        version: 'sha256:test-bundle',
        engine: 'embedded',
      },
      latency_ms: 0.5,
    });
    const [entry, ...others] = await storedEntries(t);
    expect(others).toHaveLength(0);
    expect(entry).toMatchObject({
      id: body.audit_id,
      decisionId: body.decision_id,
      userId: 'alice',
      action: 'policy.evaluate',
      decision: 'allow',
      policyPath: 'data.policy_gateway.decision',
      policyVersion: 'sha256:test-bundle',
      policyEngine: 'embedded',
      input: { prompt: 'summarise this', user_id: 'alice', context: { app: 'chat' } },
      result: { allow: true, reasons: [] },
      error: null,
      requestId,
      clientRequestId: 'req-abc-123',
      clientAddress: '127.0.0.1',
      userAgent: 'curl/8.5',
      gatewayInstance: 'test-gateway',
    });
    expect(entry?.occurredAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
    expect(entry?.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/);
  });

  it('returns a deny with its reasons and passes an empty context when none is given', async () => {
    const t = await testApp();
    const response = await t.app.inject({
      method: 'POST',
      url: '/policy/evaluate',
      payload: { prompt: 'my key is SECRET', user_id: 'bob' },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      allow: false,
      decision: 'deny',
      reasons: [
        { code: 'secret.api_key', message: 'The prompt contains an API key.', severity: 'high' },
      ],
    });
    // The engine sees the prompt's normalised forms beside it (prompt-normalization.ts).
    expect(t.engine.inputs).toEqual([
      {
        prompt: 'my key is SECRET',
        user_id: 'bob',
        context: {},
        normalized: {
          prompt: 'my key is secret',
          skeleton: 'rny key is secret',
          user_id: 'bob',
          changed: [],
        },
      },
    ]);
  });

  it('generates a request id when the client sends none, and records the same id', async () => {
    const t = await testApp();
    const response = await t.app.inject({
      method: 'POST',
      url: '/policy/evaluate',
      payload: { prompt: 'hi', user_id: 'u' },
    });
    const requestId = response.headers['x-request-id'];
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    const [entry] = await storedEntries(t);
    expect(entry?.requestId).toBe(requestId);
    expect(entry?.clientRequestId).toBeNull();
  });

  it("keeps its own request id when the client sends one, and records the client's beside it", async () => {
    const t = await testApp();
    const send = (clientId: string) =>
      t.app.inject({
        method: 'POST',
        url: '/policy/evaluate',
        headers: { 'x-request-id': clientId },
        payload: { prompt: 'hi', user_id: 'u' },
      });
    // Two requests claiming one id still get an id each, and the audit trail tells them apart.
    const [first, second] = [await send('dup-1'), await send('dup-1')];
    const ids = [first.headers['x-request-id'], second.headers['x-request-id']];
    expect(ids[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(ids[1]).toMatch(/^[0-9a-f-]{36}$/);
    expect(ids[0]).not.toBe(ids[1]);
    expect(first.json()).not.toHaveProperty('request_id');
    const entries = await storedEntries(t);
    expect(entries.map((e) => [e.requestId, e.clientRequestId]).sort()).toEqual(
      [
        [ids[0], 'dup-1'],
        [ids[1], 'dup-1'],
      ].sort(),
    );
    const served = await t.app.inject({ url: `/governance/audit/${first.json().audit_id}` });
    expect(served.json()).toMatchObject({ request_id: ids[0], client_request_id: 'dup-1' });
  });

  it('records no client request id when the one sent is not a sane token', async () => {
    const t = await testApp();
    const response = await t.app.inject({
      method: 'POST',
      url: '/policy/evaluate',
      headers: { 'x-request-id': 'x'.repeat(500) },
      payload: { prompt: 'hi', user_id: 'u' },
    });
    expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const [entry] = await storedEntries(t);
    expect(entry?.requestId).toBe(response.headers['x-request-id']);
    expect(entry?.clientRequestId).toBeNull();
  });

  it("names a refused request by the gateway's id, not the client's", async () => {
    const t = await testApp();
    const response = await t.app.inject({
      method: 'POST',
      url: '/policy/evaluate',
      headers: { 'x-request-id': 'client-7' },
      payload: { prompt: 'hi' },
    });
    expect(response.statusCode).toBe(400);
    const requestId = response.headers['x-request-id'];
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.json().request_id).toBe(requestId);
  });

  it('keeps only the newest entries on the bounded memory store', async () => {
    const t = await testApp({ store: createMemoryStore(2) });
    const ids: unknown[] = [];
    for (const prompt of ['one', 'two', 'three']) {
      const response = await t.app.inject({
        method: 'POST',
        url: '/policy/evaluate',
        payload: { prompt, user_id: 'u' },
      });
      ids.push(response.json().audit_id);
    }
    const listed = (await t.app.inject({ url: '/governance/audit' })).json();
    expect(listed.entries.map((e: { id: string }) => e.id)).toEqual([ids[2], ids[1]]);
  });

  it('records a failed evaluation with decision error and answers 503 without a decision', async () => {
    const t = await testApp();
    const response = await t.app.inject({
      method: 'POST',
      url: '/policy/evaluate',
      payload: { prompt: 'FAIL please', user_id: 'carol' },
    });
    expect(response.statusCode).toBe(503);
    expect(response.headers['content-type']).toContain('application/problem+json');
    const problem = response.json();
    expect(problem).toMatchObject({ status: 503, code: 'POLICY_EVALUATION_FAILED' });
    expect(problem).not.toHaveProperty('allow');
    expect(problem).not.toHaveProperty('decision');
    const [entry] = await storedEntries(t);
    expect(entry).toMatchObject({
      id: problem.audit_id,
      decisionId: problem.decision_id,
      decision: 'error',
      error: 'policy result is undefined',
      result: null,
    });
  });

  it('treats an engine that throws as a failed evaluation: recorded as error, answered 503', async () => {
    const t = await testApp();
    const response = await t.app.inject({
      method: 'POST',
      url: '/policy/evaluate',
      payload: { prompt: 'THROW', user_id: 'dan' },
    });
    expect(response.statusCode).toBe(503);
    const [entry] = await storedEntries(t);
    expect(entry?.decision).toBe('error');
    expect(entry?.error).toContain('adapter bug');
  });

  it('answers 503 and no decision when the audit entry cannot be committed (fail-closed)', async () => {
    const repository = new FailingRepository();
    const t = await testApp({ store: failingStore(repository) });
    const response = await t.app.inject({
      method: 'POST',
      url: '/policy/evaluate',
      payload: { prompt: 'an allowed prompt', user_id: 'erin' },
    });
    expect(repository.appendAttempts).toBe(1);
    expect(response.statusCode).toBe(503);
    expect(response.headers['content-type']).toContain('application/problem+json');
    const problem = response.json();
    expect(problem.code).toBe('AUDIT_STORE_UNAVAILABLE');
    expect(problem).not.toHaveProperty('allow');
    expect(problem).not.toHaveProperty('decision_id');
    expect(JSON.stringify(problem)).not.toContain('"allow"');
  });

  const oversized = 'é'.repeat(33); // 66 UTF-8 bytes but 33 characters: the limit is in bytes.
  const rejected = [
    {
      note: 'malformed JSON',
      payload: '{"prompt": "x", ',
      type: 'application/json',
      status: 400,
      code: 'MALFORMED_JSON',
    },
    {
      note: 'an empty JSON body',
      payload: '',
      type: 'application/json',
      status: 400,
      code: 'EMPTY_BODY',
    },
    {
      note: 'a JSON array instead of an object',
      payload: '[]',
      type: 'application/json',
      status: 400,
      code: 'INVALID_FIELD',
    },
    {
      note: 'a missing prompt',
      payload: { user_id: 'u' },
      status: 400,
      code: 'INVALID_FIELD',
      field: 'prompt',
    },
    {
      note: 'a missing user_id',
      payload: { prompt: 'p' },
      status: 400,
      code: 'INVALID_FIELD',
      field: 'user_id',
    },
    {
      note: 'an empty prompt',
      payload: { prompt: '', user_id: 'u' },
      status: 400,
      code: 'INVALID_FIELD',
      field: 'prompt',
    },
    {
      note: 'an empty user_id',
      payload: { prompt: 'p', user_id: '' },
      status: 400,
      code: 'INVALID_FIELD',
      field: 'user_id',
    },
    {
      note: 'a numeric user_id (no coercion)',
      payload: { prompt: 'p', user_id: 42 },
      status: 400,
      code: 'INVALID_FIELD',
      field: 'user_id',
    },
    {
      note: 'a prompt that is not a string',
      payload: { prompt: ['p'], user_id: 'u' },
      status: 400,
      code: 'INVALID_FIELD',
      field: 'prompt',
    },
    {
      note: 'a context that is not an object',
      payload: { prompt: 'p', user_id: 'u', context: 'x' },
      status: 400,
      code: 'INVALID_FIELD',
      field: 'context',
    },
    {
      note: 'an unknown field',
      payload: { prompt: 'p', user_id: 'u', userId: 'u' },
      status: 400,
      code: 'INVALID_FIELD',
      field: 'userId',
    },
    {
      note: 'a prompt over the byte limit',
      payload: { prompt: oversized, user_id: 'u' },
      status: 413,
      code: 'PROMPT_TOO_LARGE',
      field: 'prompt',
    },
    {
      note: 'a prompt PostgreSQL cannot store',
      payload: { prompt: 'a\u0000b', user_id: 'u' },
      status: 400,
      code: 'INVALID_FIELD',
      field: 'prompt',
    },
    {
      note: 'a text/plain body',
      payload: 'hello',
      type: 'text/plain',
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
      field: 'Content-Type',
    },
    {
      note: 'a form body',
      payload: 'prompt=p&user_id=u',
      type: 'application/x-www-form-urlencoded',
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
    },
  ] as const;

  for (const c of rejected) {
    it(`rejects ${c.note} with ${c.status} problem+json and stores nothing`, async () => {
      const t = await testApp();
      const response = await t.app.inject({
        method: 'POST',
        url: '/policy/evaluate',
        payload: c.payload,
        ...('type' in c ? { headers: { 'content-type': c.type } } : {}),
      });
      expect(response.statusCode).toBe(c.status);
      expect(response.headers['content-type']).toContain('application/problem+json');
      const problem = response.json();
      expect(problem).toMatchObject({ status: c.status, code: c.code });
      expect(problem.type).toMatch(/^urn:policy-gateway:problem:/);
      expect(typeof problem.title).toBe('string');
      expect(typeof problem.detail).toBe('string');
      if ('field' in c) {
        expect(problem.field).toBe(c.field);
        expect(problem.detail).toContain(c.field);
      }
      expect(await storedEntries(t)).toHaveLength(0);
    });
  }

  it('rejects a body over the body limit with 413', async () => {
    const t = await testApp({ settings: { bodyLimitBytes: 1024 } });
    const response = await t.app.inject({
      method: 'POST',
      url: '/policy/evaluate',
      payload: { prompt: 'x'.repeat(2000), user_id: 'u' },
    });
    expect(response.statusCode).toBe(413);
    expect(response.json().code).toBe('BODY_TOO_LARGE');
    expect(t.engine.inputs).toHaveLength(0);
  });
});

describe('POST /policy/evaluate with bodies JSON.parse alone would misread', () => {
  async function post(t: TestApp, payload: string) {
    return t.app.inject({
      method: 'POST',
      url: '/policy/evaluate',
      headers: { 'content-type': 'application/json' },
      payload,
    });
  }

  async function expectRefused(
    t: TestApp,
    response: Awaited<ReturnType<typeof post>>,
    expected: { status: number; code: string; field?: string; detail?: string },
  ) {
    expect(response.statusCode).toBe(expected.status);
    expect(response.headers['content-type']).toContain('application/problem+json');
    const problem = response.json();
    expect(problem).toMatchObject({ status: expected.status, code: expected.code });
    if (expected.field !== undefined) expect(problem.field).toBe(expected.field);
    if (expected.detail !== undefined) expect(problem.detail).toContain(expected.detail);
    expect(t.engine.inputs).toHaveLength(0);
    expect(await storedEntries(t)).toHaveLength(0);
    return problem;
  }

  it('refuses a repeated prompt instead of evaluating the last one', async () => {
    const t = await testApp();
    const response = await post(
      t,
      '{"prompt": "my key is SECRET", "prompt": "hi", "user_id": "u"}',
    );
    await expectRefused(t, response, { status: 400, code: 'DUPLICATE_KEY', field: 'prompt' });
  });

  it('refuses a key repeated inside the context, naming its path', async () => {
    const t = await testApp();
    const response = await post(
      t,
      '{"prompt": "hi", "user_id": "u", "context": {"roles": [{"name": "a", "name": "admin"}]}}',
    );
    await expectRefused(t, response, {
      status: 400,
      code: 'DUPLICATE_KEY',
      field: 'context.roles[0].name',
    });
  });

  it('answers a number beyond a double (1e400) with 400 naming the field, not a failed evaluation', async () => {
    const t = await testApp();
    const response = await post(t, '{"prompt": "hi", "user_id": "u", "context": {"n": 1e400}}');
    await expectRefused(t, response, {
      status: 400,
      code: 'NUMBER_OUT_OF_RANGE',
      field: 'context.n',
      detail: '1e400',
    });
  });

  for (const depth of [5_000, 100_000]) {
    it(`answers a context nested ${depth.toLocaleString('en')} levels deep with the depth limit`, async () => {
      const t = await testApp();
      const deep = `${'{"a": '.repeat(depth)}1${'}'.repeat(depth)}`;
      const response = await post(t, `{"prompt": "hi", "user_id": "u", "context": ${deep}}`);
      const problem = await expectRefused(t, response, {
        status: 400,
        code: 'BODY_TOO_DEEP',
        detail: 'POLICY_GATEWAY_MAX_JSON_DEPTH',
      });
      expect(problem.detail).not.toContain('U+0000');
      expect(problem.field).toMatch(/^context(\.a)+$/);
    });
  }

  it('evaluates a context nested as deep as POLICY_GATEWAY_MAX_JSON_DEPTH allows', async () => {
    const t = await testApp({ settings: { maxJsonDepth: 5 } });
    const context = { a: { b: { c: { d: 1 } } } };
    const accepted = await t.app.inject({
      method: 'POST',
      url: '/policy/evaluate',
      payload: { prompt: 'hi', user_id: 'u', context },
    });
    expect(accepted.statusCode).toBe(200);
    expect(t.engine.inputs[0]?.context).toEqual(context);
    const refused = await t.app.inject({
      method: 'POST',
      url: '/policy/evaluate',
      payload: { prompt: 'hi', user_id: 'u', context: { a: context } },
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toMatchObject({ code: 'BODY_TOO_DEEP', field: 'context.a.a.b.c' });
  });

  it('evaluates, records and serves a body as deep as the largest depth the setting accepts', async () => {
    // The embedded engine, the audit copy and the serialiser recurse; 1,000 levels is their bound.
    const engine = await EmbeddedPolicyEngine.start({
      bundleDir: DEFAULT_POLICY_BUNDLE_DIR,
      policyPath: DEFAULT_POLICY_PATH,
    });
    const app = await buildApp({
      settings: { ...TEST_APP_SETTINGS, maxJsonDepth: 1000 },
      store: createMemoryStore(10),
      engine,
    });
    try {
      const depth = 998; // the body and context are the two outer levels
      const deep = `${'{"a": '.repeat(depth)}1${'}'.repeat(depth)}`;
      const response = await app.inject({
        method: 'POST',
        url: '/policy/evaluate',
        headers: { 'content-type': 'application/json' },
        payload: `{"prompt": "hi", "user_id": "u", "context": ${deep}}`,
      });
      expect(response.statusCode).toBe(200);
      expect(response.json().decision).toBe('allow');
      const served = await app.inject({ url: `/governance/audit/${response.json().audit_id}` });
      expect(served.statusCode).toBe(200);
      expect(served.payload).toContain(`"context":${deep.replaceAll(' ', '')}`);
    } finally {
      await app.close();
    }
  });

  it('answers 413 for a context over POLICY_GATEWAY_MAX_CONTEXT_BYTES and evaluates one at the limit', async () => {
    const t = await testApp({ settings: { maxContextBytes: 100 } });
    // {"note":"…"} is 11 bytes of JSON around the text; é is 2 bytes in UTF-8.
    const atLimit = { note: `${'é'.repeat(44)}x` };
    const accepted = await t.app.inject({
      method: 'POST',
      url: '/policy/evaluate',
      payload: { prompt: 'hi', user_id: 'u', context: atLimit },
    });
    expect(accepted.statusCode).toBe(200);
    t.engine.inputs.length = 0;
    const overLimit = { note: `${'é'.repeat(44)}xy` };
    const response = await t.app.inject({
      method: 'POST',
      url: '/policy/evaluate',
      payload: { prompt: 'hi', user_id: 'u', context: overLimit },
    });
    expect(response.statusCode).toBe(413);
    const problem = response.json();
    expect(problem).toMatchObject({ code: 'CONTEXT_TOO_LARGE', field: 'context' });
    expect(problem.detail).toContain('101 bytes');
    expect(problem.detail).toContain('POLICY_GATEWAY_MAX_CONTEXT_BYTES');
    expect(t.engine.inputs).toHaveLength(0);
    expect(await storedEntries(t)).toHaveLength(1);
  });

  it('counts the context as compact JSON: whitespace the client adds does not count', async () => {
    // {"k":"0123456789"} is 18 bytes.
    const t = await testApp({ settings: { maxContextBytes: 18 } });
    const response = await post(
      t,
      `{"prompt": "hi", "user_id": "u", "context": {${' '.repeat(1000)}"k": "0123456789"}}`,
    );
    expect(response.statusCode).toBe(200);
  });

  it('takes a context key named __proto__ as data, up to the audit entry served back', async () => {
    const t = await testApp();
    const response = await post(
      t,
      '{"prompt": "hi", "user_id": "u", "context": {"__proto__": {"polluted": true}, "app": "chat"}}',
    );
    expect(response.statusCode).toBe(200);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const seen = t.engine.inputs[0]?.context;
    expect(Object.keys(seen ?? {})).toEqual(['__proto__', 'app']);
    expect(Object.getPrototypeOf(seen)).toBe(Object.prototype);
    const served = await t.app.inject({ url: `/governance/audit/${response.json().audit_id}` });
    expect(served.payload).toContain('"context":{"__proto__":{"polluted":true},"app":"chat"}');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
