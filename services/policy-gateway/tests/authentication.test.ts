import { afterEach, describe, expect, it } from 'vitest';
import type { AuthenticationOptions } from '../src/api/authentication.js';
import { ROLES } from '../src/auth/principal.js';
import { buildTestApp, type TestApp } from './support/build-test-app.js';
import {
  bearer,
  FixedPrincipalAuthenticator,
  keyPrincipal,
  tokenPrincipal,
} from './support/fixed-principal-authenticator.js';

let current: TestApp | undefined;
afterEach(async () => {
  await current?.app.close();
  current = undefined;
});

const authenticator = new FixedPrincipalAuthenticator({
  evaluator: keyPrincipal('svc', ['evaluator']),
  auditor: keyPrincipal('audit', ['auditor']),
  admin: keyPrincipal('ops', ['admin']),
  nobody: keyPrincipal('idle', []),
  alice: tokenPrincipal('alice', ['evaluator', 'auditor']),
  revoked: { refusal: 'API key k1 was revoked at 2026-12-01T00:00:00.000Z' },
  expired: { refusal: 'API key k2 expired at 2026-12-01T00:00:00.000Z' },
  badSignature: { refusal: 'signature verification failed' },
  down: 'unavailable',
});

const AUTH_ON: AuthenticationOptions = {
  mode: { mode: 'on', unsafe: false },
  authenticators: { test: authenticator },
};

async function withAuth(options: AuthenticationOptions = AUTH_ON): Promise<TestApp> {
  current = await buildTestApp({ authentication: options });
  return current;
}

const PROBLEM = 'application/problem+json; charset=utf-8';

describe('authentication on: who may call what', () => {
  it('answers 401 with a Bearer challenge when no credentials are sent', async () => {
    const { app } = await withAuth();
    const response = await app.inject({ url: '/governance/audit' });
    expect(response.statusCode).toBe(401);
    expect(response.headers['content-type']).toBe(PROBLEM);
    expect(response.headers['www-authenticate']).toBe('Bearer realm="policy-gateway"');
    expect(response.json()).toMatchObject({
      code: 'UNAUTHENTICATED',
      status: 401,
      detail: expect.stringContaining('Authorization: Bearer'),
    });
  });

  it('answers every refused credential alike: unknown, revoked, expired, badly signed, not Bearer, of no known shape', async () => {
    const { app } = await withAuth();
    const headers = [
      bearer('never-issued'),
      bearer('revoked'),
      bearer('expired'),
      bearer('badSignature'),
      { authorization: 'Basic YWxpY2U6c2VjcmV0' },
      { authorization: 'Bearer pgw_not_a_shape_the_test_authenticator_takes' },
      { authorization: 'Bearer' },
    ];
    const answers = [];
    for (const header of headers) {
      const response = await app.inject({ url: '/governance/audit', headers: header });
      const { request_id: _id, ...body } = response.json();
      answers.push({
        status: response.statusCode,
        type: response.headers['content-type'],
        challenge: response.headers['www-authenticate'],
        body,
      });
    }
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    expect(answers[0]).toMatchObject({
      status: 401,
      type: PROBLEM,
      challenge: 'Bearer realm="policy-gateway", error="invalid_token"',
      body: { code: 'UNAUTHENTICATED' },
    });
    // Nothing of the reason reaches the client.
    expect(JSON.stringify(answers[0])).not.toMatch(/revoked|expired|signature/);
  });

  it('answers 403 naming the missing role to a valid credential without it', async () => {
    const { app } = await withAuth();
    const response = await app.inject({ url: '/governance/audit', headers: bearer('evaluator') });
    expect(response.statusCode).toBe(403);
    expect(response.headers['content-type']).toBe(PROBLEM);
    expect(response.json()).toMatchObject({
      code: 'FORBIDDEN',
      detail: expect.stringContaining('auditor role'),
    });
  });

  it('does not let an admin read the trail: roles do not include one another', async () => {
    const { app } = await withAuth();
    const read = await app.inject({ url: '/governance/audit', headers: bearer('admin') });
    expect(read.statusCode).toBe(403);
    const evaluate = await app.inject({
      method: 'POST',
      url: '/policy/evaluate',
      headers: bearer('admin'),
      payload: { prompt: 'hi', user_id: 'bob' },
    });
    expect(evaluate.statusCode).toBe(403);
  });

  it('answers 503 AUTHENTICATION_UNAVAILABLE, not 401, when the credentials cannot be checked', async () => {
    const { app } = await withAuth();
    const response = await app.inject({ url: '/governance/audit', headers: bearer('down') });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toMatchObject({ code: 'AUTHENTICATION_UNAVAILABLE' });
    expect(response.body).not.toContain('ECONNREFUSED');
  });

  it('keeps /health, /ready, /openapi.json and /auth/config open, even to a refused credential or one that cannot be checked', async () => {
    const { app } = await withAuth();
    for (const url of ['/health', '/ready', '/openapi.json', '/auth/config']) {
      for (const headers of [{}, bearer('revoked'), bearer('down')]) {
        const response = await app.inject({ url, headers });
        expect(response.statusCode, `${url} ${JSON.stringify(headers)}`).toBe(200);
      }
    }
  });

  it('refuses nothing to a CORS preflight, which carries no credentials', async () => {
    const { app } = await withAuth();
    const response = await app.inject({
      method: 'OPTIONS',
      url: '/governance/audit',
      headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'GET' },
    });
    expect(response.statusCode).toBe(204);
  });

  it('documents the 401 and 403 of every guarded route in /openapi.json', async () => {
    const { app } = await withAuth();
    const paths = (await app.inject({ url: '/openapi.json' })).json().paths;
    expect(Object.keys(paths['/governance/audit'].get.responses)).toEqual(
      expect.arrayContaining(['401', '403']),
    );
    expect(Object.keys(paths['/policy/evaluate'].post.responses)).toEqual(
      expect.arrayContaining(['401', '403']),
    );
    expect(Object.keys(paths['/auth/me'].get.responses)).toContain('401');
    expect(Object.keys(paths['/auth/me'].get.responses)).not.toContain('403');
    for (const open of ['/health', '/ready', '/auth/config']) {
      expect(Object.keys(paths[open].get.responses), open).not.toContain('401');
    }
  });

  it('closes the authenticators with the app', async () => {
    const own = new FixedPrincipalAuthenticator({});
    const { app } = await withAuth({ ...AUTH_ON, authenticators: { own } });
    await app.close();
    current = undefined;
    expect(own.closed.value).toBe(true);
  });
});

describe('GET /auth/me and GET /auth/config', () => {
  it('says who the credentials identify and their roles', async () => {
    const { app } = await withAuth();
    const me = await app.inject({ url: '/auth/me', headers: bearer('alice') });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toEqual({
      id: 'oidc:alice@https://idp.test',
      kind: 'oidc',
      name: 'alice',
      subject: 'alice',
      roles: ['evaluator', 'auditor'],
    });
    const key = await app.inject({ url: '/auth/me', headers: bearer('nobody') });
    expect(key.json()).toEqual({
      id: 'key:idle',
      kind: 'api_key',
      name: 'idle',
      subject: null,
      roles: [],
    });
  });

  it('answers 401 to /auth/me without credentials when authentication is on', async () => {
    const { app } = await withAuth();
    expect((await app.inject({ url: '/auth/me' })).statusCode).toBe(401);
  });

  it('says the caller is anonymous with every role when authentication is off', async () => {
    current = await buildTestApp();
    const me = await current.app.inject({ url: '/auth/me' });
    expect(me.json()).toEqual({
      id: 'anonymous',
      kind: 'anonymous',
      name: null,
      subject: null,
      roles: [...ROLES],
    });
  });

  it('tells a client whether to sign in, and where with OIDC', async () => {
    const oidc = {
      issuer: 'https://idp.test',
      client_id: 'workbench',
      audience: 'https://gateway.test',
      scopes: ['openid'],
    };
    current = await buildTestApp({ authentication: AUTH_ON, oidcSignIn: oidc });
    expect((await current.app.inject({ url: '/auth/config' })).json()).toEqual({
      auth: 'on',
      oidc,
    });
  });

  it('tells a client there is nothing to sign in to when authentication is off', async () => {
    current = await buildTestApp();
    expect((await current.app.inject({ url: '/auth/config' })).json()).toEqual({
      auth: 'off',
      oidc: null,
    });
  });
});

describe('GET /ready and authentication', () => {
  it('tells a caller without valid credentials only the status and the auth mode when authentication is on', async () => {
    const { app } = await withAuth();
    for (const headers of [{}, bearer('revoked')]) {
      const response = await app.inject({ url: '/ready', headers });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ status: 'ready', auth: { mode: 'on', unsafe: false } });
    }
  });

  it('tells any authenticated caller the store, the policy, the warnings and the authenticators', async () => {
    const { app } = await withAuth();
    const body = (await app.inject({ url: '/ready', headers: bearer('nobody') })).json();
    expect(body).toMatchObject({
      status: 'ready',
      auth: { mode: 'on', unsafe: false, authenticators: ['test'] },
      store: { backend: 'memory' },
      policy: { engine: 'embedded' },
    });
    expect(body.warnings.join(' ')).toMatch(/lost on restart/);
  });

  it('says the workstation mode, without a warning', async () => {
    current = await buildTestApp({
      authentication: { mode: { mode: 'unset', unsafe: false }, authenticators: {} },
    });
    const body = (await current.app.inject({ url: '/ready' })).json();
    expect(body.auth).toEqual({ mode: 'unset', unsafe: false, authenticators: [] });
    expect(body.warnings.join(' ')).not.toMatch(/authentication/i);
  });

  it('flags authentication off on a reachable address as unsafe, in auth and in the warnings', async () => {
    current = await buildTestApp({
      authentication: { mode: { mode: 'off', unsafe: true }, authenticators: {} },
    });
    const body = (await current.app.inject({ url: '/ready' })).json();
    expect(body.auth).toEqual({ mode: 'off', unsafe: true, authenticators: [] });
    expect(body.warnings.join(' ')).toMatch(/UNSAFE: POLICY_GATEWAY_AUTH=off/);
  });
});
