/**
 * OPA's Data API, recorded (issue 14), driven by OPA's own TypeScript SDK
 * (`@open-policy-agent/opa`) as a real client against a listening gateway over the embedded
 * engine and a PostgreSQL audit store: every answer must be what the in-process engine's
 * `evalQuery` gives for the same document and input, and every query must be in the trail
 * (path, input, result, decision id) before the answer.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { OPAClient } from '@open-policy-agent/opa';
import { OpaApiClient } from '@open-policy-agent/opa/sdk/index.js';
import type { AuditLogEntry } from '@policy-gateway/governance-runtime';
import { createTestDatabase, type TestDatabase } from '@policy-gateway/governance-runtime/testing';
import { RegoEngine } from '@policy-gateway/rego';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { loadSettings } from '../src/config/settings.js';
import { openDatabase } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migration-runner.js';
import { EmbeddedPolicyEngine } from '../src/policy/embedded-policy-engine.js';
import { loadPolicyBundle } from '../src/policy/policy-bundle.js';
import type { AuditStore } from '../src/store/audit-store.js';
import { openAuditStore } from '../src/store/open-audit-store.js';
import { TEST_APP_SETTINGS } from './support/build-test-app.js';
import { FailingRepository, failingStore } from './support/failing-repository.js';
import {
  FIXED_TOKEN_PREFIX,
  FixedPrincipalAuthenticator,
  keyPrincipal,
} from './support/fixed-principal-authenticator.js';

const silent = pino({ level: 'silent' });

/** What the Data API answers, success or error. */
interface OpaBody {
  readonly decision_id: string;
  readonly result?: unknown;
  readonly code?: string;
  readonly message?: string;
  readonly errors?: ReadonlyArray<{ readonly code: string }>;
}

const POLICIES: Readonly<Record<string, string>> = {
  'authz/authz.rego': `package authz

default allow := false

allow if input.subject == "alice"

allow if "admin" in data.authz.roles[input.subject]

permissions contains permission if {
	some role in data.authz.roles[input.subject]
	some permission in data.authz.grants[role]
}

decision := {"allow": allow, "reasons": []}

conflict := 1 if input.one
conflict := 2 if input.two

number := to_number(input.text)

echo := input
`,
  'authz/data.json': JSON.stringify({
    roles: { bob: ['reader'], carol: ['admin', 'reader'] },
    grants: { reader: ['read'], admin: ['read', 'write'] },
  }),
  'system/main.rego': `package system

main := {"allow": data.authz.allow, "subject": input.subject}
`,
};

/** Documents and inputs answered through the SDK and by the in-process engine alike. */
const CASES: ReadonlyArray<{ note: string; path: string; input?: Record<string, unknown> }> = [
  { note: 'a boolean rule, true', path: 'authz/allow', input: { subject: 'alice' } },
  { note: 'a boolean rule, default false', path: 'authz/allow', input: { subject: 'dave' } },
  { note: 'a rule reading data', path: 'authz/allow', input: { subject: 'carol' } },
  { note: 'a partial set', path: 'authz/permissions', input: { subject: 'carol' } },
  { note: 'an object rule', path: 'authz/decision', input: { subject: 'bob' } },
  { note: 'a base document', path: 'authz/roles' },
  { note: 'a base document below a key', path: 'authz/grants/admin' },
  { note: 'a whole package', path: 'system', input: { subject: 'alice' } },
  { note: 'a builtin error, not strict: undefined', path: 'authz/number', input: { text: 'x' } },
  { note: 'a number from a builtin', path: 'authz/number', input: { text: '4.5' } },
];

let dir: string;
let database: TestDatabase;
let store: AuditStore;
let app: FastifyInstance;
let url: string;
let rego: RegoEngine;
let storeSettings: Extract<ReturnType<typeof loadSettings>['store'], { backend: 'postgres' }>;

/** Another store on the same database: closing a gateway closes its store. */
function anotherStore(): Promise<AuditStore> {
  return openAuditStore(storeSettings, silent);
}

async function startGateway(auditStore: AuditStore, authenticate = false, bundleDir = dir) {
  const engine = await EmbeddedPolicyEngine.start({
    bundleDir,
    policyPath: 'data.authz.decision',
  });
  const gateway = await buildApp({
    settings: { ...TEST_APP_SETTINGS, bodyLimitBytes: 65_536 },
    store: auditStore,
    engine,
    ...(authenticate
      ? {
          authentication: {
            mode: { mode: 'on', unsafe: false },
            authenticators: {
              test: new FixedPrincipalAuthenticator({
                evaluator: keyPrincipal('evaluator', ['evaluator']),
                auditor: keyPrincipal('auditor', ['auditor']),
              }),
            },
          },
        }
      : {}),
  });
  const address = await gateway.listen({ host: '127.0.0.1', port: 0 });
  return { app: gateway, url: address.replace('127.0.0.1', 'localhost') };
}

async function entryByDecisionId(decisionId: string): Promise<AuditLogEntry> {
  const page = await store.repository.query({ limit: 5, decisionId });
  expect(page.entries).toHaveLength(1);
  return page.entries[0]!;
}

async function post(pathAndQuery: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${url}${pathAndQuery}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'opa-data-api-'));
  for (const [file, content] of Object.entries(POLICIES)) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), content);
  }
  const bundle = await loadPolicyBundle(dir);
  rego = new RegoEngine({ regoVersion: 'v1' });
  rego.addModules(bundle.modules.map((m) => ({ fileName: m.relativePath, source: m.content })));
  rego.setData(bundle.data);

  database = await createTestDatabase();
  const env = { POLICY_GATEWAY_DATABASE_URL: database.url };
  const settings = loadSettings(env);
  if (settings.store.backend !== 'postgres') throw new Error('a PostgreSQL backend was expected');
  storeSettings = settings.store;
  const migrating = await openDatabase(settings.store, { log: silent, forMigrations: true });
  await migrateToLatest(migrating.db);
  await migrating.close();
  store = await openAuditStore(settings.store, silent);
  ({ app, url } = await startGateway(store));
});

afterAll(async () => {
  await app?.close();
  await database?.drop();
  await rm(dir, { recursive: true, force: true });
});

describe("OPA's SDK against the gateway", () => {
  it.each(CASES)('answers as evalQuery does: $note', async ({ path: docPath, input }) => {
    const opa = new OPAClient(url);
    const answered = await opa.evaluate(docPath, input);
    const ref = `data.${docPath.replaceAll('/', '.')}`;
    const expected = rego.evalQuery(ref, input === undefined ? {} : { input }).results[0]
      ?.expressions[0]?.value;
    expect(answered).toEqual(expected);
  });

  it('records each query before answering: path, input, result and the decision id', async () => {
    const response = await post('/v1/data/authz/allow', { input: { subject: 'carol' } });
    expect(response.status).toBe(200);
    const body = JSON.parse(response.text);
    expect(body.result).toBe(true);
    const entry = await entryByDecisionId(body.decision_id);
    expect(entry).toMatchObject({
      action: 'opa.data',
      decision: 'allow',
      policyPath: 'data.authz.allow',
      input: { subject: 'carol' },
      result: true,
      principalId: 'anonymous',
      policyEngine: 'embedded',
    });
  });

  it('evaluates the default decision, data.system.main, on the input (evaluateDefault)', async () => {
    const opa = new OPAClient(url);
    expect(await opa.evaluateDefault({ subject: 'alice' })).toEqual({
      allow: true,
      subject: 'alice',
    });
    const page = await store.repository.query({ limit: 1, policyPath: 'data.system.main' });
    expect(page.entries[0]).toMatchObject({ input: { subject: 'alice' }, decision: 'allow' });
  });

  it('answers a batch by falling back to one query per input (no batch API here)', async () => {
    const opa = new OPAClient(url);
    const answers = await opa.evaluateBatch(
      'authz/allow',
      { a: { subject: 'alice' }, b: { subject: 'bob' }, c: { subject: 'carol' } },
      { fallback: true },
    );
    expect(answers).toEqual({ a: true, b: false, c: true });
  });

  it('passes the health check', async () => {
    const client = new OpaApiClient({ serverURL: url });
    const health = await client.health();
    expect(health.httpMeta.response.status).toBe(200);
  });

  it('answers {} with a decision id for an undefined document, and records a deny', async () => {
    const response = await post('/v1/data/authz/nothing_here', { input: {} });
    expect(response.status).toBe(200);
    const body = JSON.parse(response.text);
    expect(Object.keys(body)).toEqual(['decision_id']);
    const entry = await entryByDecisionId(body.decision_id);
    expect(entry).toMatchObject({
      decision: 'deny',
      result: null,
      policyPath: 'data.authz.nothing_here',
    });
    expect(await new OPAClient(url).evaluate('authz/nothing_here', {})).toBeUndefined();
  });

  it('warns when the body has no input member, as OPA does', async () => {
    const body = JSON.parse((await post('/v1/data/authz/allow', {})).text);
    expect(body.result).toBe(false);
    expect(body.warning).toEqual({
      code: 'api_usage_warning',
      message: "'input' key missing from the request",
    });
  });

  it('reads GET /v1/data with the input in ?input=', async () => {
    const input = encodeURIComponent(JSON.stringify({ subject: 'alice' }));
    const response = await fetch(`${url}/v1/data/authz/allow?input=${input}`);
    const body = (await response.json()) as OpaBody;
    expect(body.result).toBe(true);
    expect((await entryByDecisionId(body.decision_id)).input).toEqual({ subject: 'alice' });
    const bad = await fetch(`${url}/v1/data/authz/allow?input=%7Bnope`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as OpaBody).code).toBe('invalid_parameter');
  });
});

describe('query parameters', () => {
  it('pretty indents, provenance names the bundle revision, metrics carry timers', async () => {
    const response = await post('/v1/data/authz/allow?pretty&provenance=true&metrics=true', {
      input: { subject: 'alice' },
    });
    expect(response.text).toContain('\n  "decision_id"');
    const body = JSON.parse(response.text);
    expect(body.provenance.bundles['policy-gateway'].revision).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(body.metrics.timer_rego_query_eval_ns).toBeGreaterThan(0);
    expect(body.metrics.timer_server_handler_ns).toBeGreaterThanOrEqual(
      body.metrics.timer_rego_query_eval_ns,
    );
  });

  it('strict-builtin-errors turns a builtin error into a recorded 500', async () => {
    const lenient = JSON.parse(
      (await post('/v1/data/authz/number', { input: { text: 'x' } })).text,
    );
    expect(lenient.result).toBeUndefined();
    const strict = await post('/v1/data/authz/number?strict-builtin-errors', {
      input: { text: 'x' },
    });
    expect(strict.status).toBe(500);
    const body = JSON.parse(strict.text);
    expect(body.code).toBe('internal_error');
    expect(body.errors[0].code).toBe('eval_builtin_error');
    expect((await entryByDecisionId(body.decision_id)).decision).toBe('error');
  });

  it('refuses explain with invalid_parameter, evaluating and recording nothing', async () => {
    const before = (await store.repository.query({ limit: 100 })).entries.length;
    const response = await post('/v1/data/authz/allow?explain=full', { input: {} });
    expect(response.status).toBe(400);
    const body = JSON.parse(response.text);
    expect(body.code).toBe('invalid_parameter');
    expect(body.message).toMatch(/explain=full is not supported/);
    expect((await store.repository.query({ limit: 100 })).entries.length).toBe(before);
  });
});

describe("OPA's error body", () => {
  it('answers a conflict as internal_error naming eval_conflict_error and the place, recorded', async () => {
    const response = await post('/v1/data/authz/conflict', { input: { one: true, two: true } });
    expect(response.status).toBe(500);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const body = JSON.parse(response.text);
    expect(body.code).toBe('internal_error');
    expect(body.errors[0]).toMatchObject({
      code: 'eval_conflict_error',
      location: { file: 'authz/authz.rego' },
    });
    const entry = await entryByDecisionId(body.decision_id);
    expect(entry.decision).toBe('error');
    expect(entry.error).toMatch(/eval_conflict_error/);
    await expect(
      new OPAClient(url).evaluate('authz/conflict', { one: true, two: true }),
    ).rejects.toThrow(/error\(s\) occurred while evaluating data\.authz\.conflict/);
  });

  it('answers a body that is not an object with invalid_parameter', async () => {
    const response = await post('/v1/data/authz/allow', '[1, 2]');
    expect(response.status).toBe(400);
    expect(JSON.parse(response.text)).toMatchObject({ code: 'invalid_parameter' });
  });

  it('answers an undefined default decision with 404 undefined_document', async () => {
    const bare = await mkdtemp(path.join(tmpdir(), 'opa-data-api-bare-'));
    await writeFile(path.join(bare, 'authz.rego'), POLICIES['authz/authz.rego']!);
    const gateway = await startGateway(await anotherStore(), false, bare);
    try {
      const missing = await fetch(`${gateway.url}/`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      expect(missing.status).toBe(404);
      const body = (await missing.json()) as OpaBody;
      expect(body).toMatchObject({
        code: 'undefined_document',
        message: 'document missing: data.system.main',
      });
      expect((await entryByDecisionId(body.decision_id)).decision).toBe('deny');
    } finally {
      await gateway.app.close();
      await rm(bare, { recursive: true, force: true });
    }
  });

  it('answers 503 in OPA shape, with the gateway code, when the decision cannot be recorded', async () => {
    const failing = await startGateway(failingStore(new FailingRepository()));
    try {
      const response = await fetch(`${failing.url}/v1/data/authz/allow`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ input: { subject: 'alice' } }),
      });
      expect(response.status).toBe(503);
      const body = (await response.json()) as OpaBody;
      expect(body.code).toBe('internal_error');
      expect(body.errors?.[0]?.code).toBe('AUDIT_STORE_UNAVAILABLE');
      expect(body.result).toBeUndefined();
    } finally {
      await failing.app.close();
    }
  });

  it('needs the evaluator role: 401 and 403 in OPA shape, and the SDK passes its token', async () => {
    const guarded = await startGateway(await anotherStore(), true);
    try {
      const anonymous = await fetch(`${guarded.url}/v1/data/authz/allow`, { method: 'POST' });
      expect(anonymous.status).toBe(401);
      expect(await anonymous.json()).toMatchObject({ code: 'unauthorized' });
      const auditor = await fetch(`${guarded.url}/v1/data/authz/allow`, {
        method: 'POST',
        headers: { authorization: `Bearer ${FIXED_TOKEN_PREFIX}auditor` },
      });
      expect(auditor.status).toBe(403);
      expect(await auditor.json()).toMatchObject({
        code: 'unauthorized',
        errors: [{ code: 'FORBIDDEN' }],
      });
      const opa = new OPAClient(guarded.url, {
        headers: { authorization: `Bearer ${FIXED_TOKEN_PREFIX}evaluator` },
      });
      expect(await opa.evaluate('authz/allow', { subject: 'alice' })).toBe(true);
      const page = await store.repository.query({ limit: 1 });
      expect(page.entries[0]?.principalId).toBe('key:evaluator');
    } finally {
      await guarded.app.close();
    }
  });
});

describe('gzip', () => {
  it('takes a gzip request body and answers gzip when asked, from 1 KiB up', async () => {
    const subjects = Array.from({ length: 200 }, (_, i) => `subject-${i}`);
    const response = await post(
      '/v1/data/authz/echo',
      gzipSync(JSON.stringify({ input: { subjects } })),
      { 'content-encoding': 'gzip', 'accept-encoding': 'gzip' },
    );
    expect(response.status).toBe(200);
    // fetch decompresses; the header says the gateway compressed.
    expect(response.headers.get('content-encoding')).toBe('gzip');
    const body = JSON.parse(response.text);
    expect(body.result).toEqual({ subjects });
    expect((await entryByDecisionId(body.decision_id)).input).toEqual({ subjects });
    const small = await post('/v1/data/authz/allow', { input: {} }, { 'accept-encoding': 'gzip' });
    expect(small.headers.get('content-encoding')).toBeNull();
  });

  it('refuses a body that inflates beyond the body limit (a decompression bomb) with 413', async () => {
    const bomb = gzipSync(`{"input": "${'a'.repeat(4 * 1024 * 1024)}"}`);
    expect(bomb.length).toBeLessThan(65_536);
    const response = await post('/v1/data/authz/allow', bomb, { 'content-encoding': 'gzip' });
    expect(response.status).toBe(413);
    expect(JSON.parse(response.text)).toMatchObject({
      code: 'invalid_parameter',
      errors: [{ code: 'BODY_TOO_LARGE' }],
    });
  });

  it('answers a body that is not gzip as it claims with 400 invalid_parameter', async () => {
    const response = await post('/v1/data/authz/allow', '{"input": {}}', {
      'content-encoding': 'gzip',
    });
    expect(response.status).toBe(400);
    expect(JSON.parse(response.text).code).toBe('invalid_parameter');
  });
});
