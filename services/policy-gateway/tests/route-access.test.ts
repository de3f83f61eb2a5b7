/**
 * Every route × every kind of caller, with authentication on and real credentials: API keys
 * minted by the key manager (checked by the API key authenticator against its repository) and
 * OIDC access tokens from a real provider (`oidc-provider`), verified by the OIDC authenticator.
 * The expected access of each route is written here, apart from the code that enforces it,
 * and the routes the gateway documents must be exactly those listed: a new route fails this
 * test until someone says who may call it.
 */
import type { FastifyInstance, InjectOptions } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Access } from '../src/api/area-access.js';
import { type Authenticators, createAuthenticators } from '../src/auth/create-authenticators.js';
import { MemoryApiKeyRepository } from '../src/auth/memory/memory-api-key-repository.js';
import type { Role } from '../src/auth/principal.js';
import { buildTestApp, type TestApp } from './support/build-test-app.js';
import { type OidcTestProvider, startOidcTestProvider } from './support/oidc-test-provider.js';

const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

/** Who may call each documented route, and a request that reaches it. */
const ROUTES: Readonly<Record<string, { access: Access; request: InjectOptions }>> = {
  'POST /policy/evaluate': {
    access: 'evaluator',
    request: {
      method: 'POST',
      url: '/policy/evaluate',
      payload: { prompt: 'hi', user_id: 'alice' },
    },
  },
  'POST /v1/data': {
    access: 'evaluator',
    request: { method: 'POST', url: '/v1/data', payload: { input: {} } },
  },
  'POST /v1/data/*': {
    access: 'evaluator',
    request: { method: 'POST', url: '/v1/data/policy_gateway/decision', payload: { input: {} } },
  },
  'GET /v1/data': { access: 'evaluator', request: { url: '/v1/data' } },
  'GET /v1/data/*': { access: 'evaluator', request: { url: '/v1/data/policy_gateway' } },
  'POST /': { access: 'evaluator', request: { method: 'POST', url: '/', payload: {} } },
  'POST /logs': { access: 'evaluator', request: { method: 'POST', url: '/logs', payload: [] } },
  'GET /governance/audit': { access: 'auditor', request: { url: '/governance/audit' } },
  'GET /governance/audit/{id}': {
    access: 'auditor',
    request: { url: `/governance/audit/${UNKNOWN_ID}` },
  },
  'GET /governance/access-log': { access: 'auditor', request: { url: '/governance/access-log' } },
  'GET /governance/audit/integrity': {
    access: 'auditor',
    request: { url: '/governance/audit/integrity' },
  },
  'POST /governance/audit/integrity/verify': {
    access: 'auditor',
    request: { method: 'POST', url: '/governance/audit/integrity/verify' },
  },
  'GET /governance/audit/export': {
    access: 'auditor',
    request: { url: '/governance/audit/export?format=ndjson' },
  },
  'GET /governance/audit/stats': { access: 'auditor', request: { url: '/governance/audit/stats' } },
  // A resume point the route refuses, so that a caller let in gets an answer rather than an
  // open stream.
  'GET /governance/audit/stream': {
    access: 'auditor',
    request: { url: '/governance/audit/stream', headers: { 'last-event-id': 'not-a-position' } },
  },
  'POST /governance/replays': {
    access: 'auditor',
    request: { method: 'POST', url: '/governance/replays', payload: {} },
  },
  'GET /governance/replays/{id}': {
    access: 'auditor',
    request: { url: `/governance/replays/${UNKNOWN_ID}` },
  },
  'GET /governance/replays/{id}/changes': {
    access: 'auditor',
    request: { url: `/governance/replays/${UNKNOWN_ID}/changes` },
  },
  'GET /governance/audit/{id}/proof': {
    access: 'auditor',
    request: { url: `/governance/audit/${UNKNOWN_ID}/proof` },
  },
  'POST /governance/audit/{id}/original': {
    access: 'privacy-officer',
    request: {
      method: 'POST',
      url: `/governance/audit/${UNKNOWN_ID}/original`,
      payload: { reason: 'subject access request #12' },
    },
  },
  'GET /admin/keys': { access: 'admin', request: { url: '/admin/keys' } },
  'POST /admin/subjects/{user_id}/erasure': {
    access: 'admin',
    request: {
      method: 'POST',
      url: '/admin/subjects/alice/erasure',
      payload: { reason: 'erasure request #7' },
    },
  },
  'POST /admin/keys': {
    access: 'admin',
    request: { method: 'POST', url: '/admin/keys', payload: { role: 'evaluator' } },
  },
  'POST /admin/keys/{id}/revoke': {
    access: 'admin',
    request: { method: 'POST', url: '/admin/keys/000000000000/revoke' },
  },
  'GET /auth/config': { access: 'open', request: { url: '/auth/config' } },
  'GET /auth/me': { access: 'authenticated', request: { url: '/auth/me' } },
  'GET /health': { access: 'open', request: { url: '/health' } },
  'GET /ready': { access: 'open', request: { url: '/ready' } },
  'GET /openapi.json': { access: 'open', request: { url: '/openapi.json' } },
};

type Caller = 'nobody' | `${Role} key` | 'auditor token' | 'evaluator token';

let idp: OidcTestProvider;
let auth: Authenticators;
let current: TestApp;
const headers: Partial<Record<Caller, Record<string, string>>> = {};

beforeAll(async () => {
  idp = await startOidcTestProvider({
    audience: 'https://gateway.test',
    serviceClients: {
      'audit-reader': { roles: ['auditor'] },
      'chat-backend': { roles: ['evaluator'] },
    },
  });
  auth = await createAuthenticators({
    oidc: {
      issuer: idp.issuer,
      audience: idp.audience,
      jwksUrl: idp.jwksUrl,
      jwksCacheSeconds: 600,
      rolesClaim: idp.rolesClaim,
      roleMap: undefined,
      clockSkewSeconds: 30,
      workbenchClientId: idp.workbenchClientId,
    },
    apiKeys: new MemoryApiKeyRepository(),
    required: true,
    log: pino({ level: 'silent' }),
  });
  current = await buildTestApp({
    authentication: { mode: { mode: 'on', unsafe: false }, authenticators: auth.authenticators },
  });
  for (const role of ['evaluator', 'auditor', 'admin', 'privacy-officer'] as const) {
    const { key } = await auth.apiKeys.create({ role, name: `${role} key` });
    headers[`${role} key`] = { authorization: `Bearer ${key}` };
  }
  const token = await idp.clientCredentialsToken('audit-reader');
  headers['auditor token'] = { authorization: `Bearer ${token}` };
  const evaluatorToken = await idp.clientCredentialsToken('chat-backend');
  headers['evaluator token'] = { authorization: `Bearer ${evaluatorToken}` };
  headers.nobody = {};
}, 60_000);

afterAll(async () => {
  await current?.app.close();
  await idp?.close();
});

function expectedStatus(access: Access, caller: Caller): 'allowed' | 401 | 403 {
  if (access === 'open') return 'allowed';
  if (caller === 'nobody') return 401;
  if (access === 'authenticated') return 'allowed';
  const role = caller.split(' ')[0];
  return role === access ? 'allowed' : 403;
}

async function answer(app: FastifyInstance, request: InjectOptions, caller: Caller) {
  const response = await app.inject({
    ...request,
    headers: { ...request.headers, ...headers[caller] },
  });
  const status = response.statusCode;
  return { status, outcome: status === 401 || status === 403 ? status : 'allowed' };
}

describe('every route × every caller, authentication on, real credentials', () => {
  it('documents exactly the routes this table says who may call', async () => {
    const document = (await current.app.inject({ url: '/openapi.json' })).json();
    const documented = Object.entries(document.paths as Record<string, object>).flatMap(
      ([path, operations]) =>
        Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(documented.sort()).toEqual(Object.keys(ROUTES).sort());
  });

  it('documents who may call each route as OpenAPI security: either bearer credential, with the role it needs', async () => {
    const document = (await current.app.inject({ url: '/openapi.json' })).json();
    expect(Object.keys(document.components.securitySchemes).sort()).toEqual([
      'apiKey',
      'oidcToken',
    ]);
    for (const [route, { access }] of Object.entries(ROUTES)) {
      const [method = '', path = ''] = route.split(' ');
      const roles = access === 'open' || access === 'authenticated' ? [] : [access];
      expect(document.paths[path][method.toLowerCase()].security, route).toEqual([
        ...(access === 'open' ? [{}] : []),
        { apiKey: roles },
        { oidcToken: roles },
      ]);
    }
  });

  const callers: readonly Caller[] = [
    'nobody',
    'evaluator key',
    'auditor key',
    'admin key',
    'privacy-officer key',
    'auditor token',
    'evaluator token',
  ];
  for (const [route, { access, request }] of Object.entries(ROUTES)) {
    for (const caller of callers) {
      const expected = expectedStatus(access, caller);
      it(`${route} (${access}) answers ${caller}: ${expected}`, async () => {
        const { status, outcome } = await answer(current.app, request, caller);
        expect(outcome, `status ${status}`).toBe(expected);
        if (expected === 'allowed') expect(status).toBeLessThan(500);
      });
    }
  }

  it('answers a revoked key 401 at once, the same way as a key never issued', async () => {
    const { key, description } = await auth.apiKeys.create({ role: 'auditor', name: 'soon gone' });
    const read = () =>
      current.app.inject({ url: '/governance/audit', headers: { authorization: `Bearer ${key}` } });
    expect((await read()).statusCode).toBe(200);
    await auth.apiKeys.revoke(description.id);
    const revoked = await read();
    const unknown = await current.app.inject({
      url: '/governance/audit',
      headers: { authorization: `Bearer ${key.slice(0, -4)}AAAA` },
    });
    expect(revoked.statusCode).toBe(401);
    const { request_id: _a, ...revokedBody } = revoked.json();
    const { request_id: _b, ...unknownBody } = unknown.json();
    expect(revokedBody).toEqual(unknownBody);
    expect(revoked.headers['www-authenticate']).toBe(unknown.headers['www-authenticate']);
  });
});

describe('the principal recorded in every entry, with real credentials', () => {
  async function evaluateAs(caller: Caller, userId: string) {
    const response = await current.app.inject({
      method: 'POST',
      url: '/policy/evaluate',
      headers: headers[caller],
      payload: { prompt: 'hi', user_id: userId },
    });
    expect(response.statusCode).toBe(200);
    const { audit_id } = response.json();
    const entry = await current.app.inject({
      url: `/governance/audit/${audit_id}`,
      headers: headers['auditor key'],
    });
    return entry.json();
  }

  it('records the API key as the principal and the user it named as user_id', async () => {
    const me = (
      await current.app.inject({ url: '/auth/me', headers: headers['evaluator key'] })
    ).json();
    expect(me.id).toMatch(/^key:/);
    const entry = await evaluateAs('evaluator key', 'carol');
    expect(entry).toMatchObject({ principal_id: me.id, user_id: 'carol' });
  });

  it("records a client-credentials token's client as the principal; as a service account it names the user", async () => {
    const entry = await evaluateAs('evaluator token', 'dave');
    expect(entry).toMatchObject({
      principal_id: `oidc:chat-backend@${idp.issuer}`,
      user_id: 'dave',
    });
  });
});
