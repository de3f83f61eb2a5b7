import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiProblem } from '../src/api/problem.js';
import type { ApiArea, ScopeSetup } from '../src/api/routes.js';
import { buildTestApp, type TestApp } from './support/build-test-app.js';

let current: TestApp | undefined;
afterEach(async () => {
  await current?.app.close();
  current = undefined;
});

const ORIGIN = 'http://localhost:5173';
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

/** One request per route of every area. */
const REQUESTS = [
  { area: 'evaluation', method: 'POST', url: '/policy/evaluate' },
  { area: 'opa', method: 'POST', url: '/v1/data/policy_gateway/decision' },
  { area: 'opa', method: 'GET', url: '/v1/data' },
  { area: 'opa', method: 'POST', url: '/' },
  { area: 'audit', method: 'GET', url: '/governance/audit' },
  { area: 'audit', method: 'GET', url: `/governance/audit/${UNKNOWN_ID}` },
  { area: 'audit', method: 'GET', url: '/governance/access-log' },
  { area: 'auth', method: 'GET', url: '/auth/config' },
  { area: 'auth', method: 'GET', url: '/auth/me' },
  { area: 'admin', method: 'GET', url: '/admin/keys' },
  { area: 'service', method: 'GET', url: '/health' },
  { area: 'service', method: 'GET', url: '/ready' },
  { area: 'service', method: 'GET', url: '/openapi.json' },
] as const;

function send(app: FastifyInstance, request: (typeof REQUESTS)[number]) {
  return app.inject({
    method: request.method,
    url: request.url,
    headers: { origin: ORIGIN },
    ...(request.method === 'POST' ? { payload: { prompt: 'hi', user_id: 'alice' } } : {}),
  });
}

/** A set-up that records which URLs its scope's onRequest hook saw. */
function recordingScope(): { setup: ScopeSetup; seen: string[] } {
  const seen: string[] = [];
  return {
    seen,
    setup: (scope) => {
      scope.addHook('onRequest', async (request) => {
        seen.push(request.url);
      });
    },
  };
}

describe('each API area is an encapsulated scope', () => {
  const areas: readonly ApiArea[] = ['evaluation', 'opa', 'audit', 'auth', 'admin', 'service'];
  for (const area of areas) {
    it(`runs a hook added in the ${area} scope for the ${area} routes and no others`, async () => {
      const { setup, seen } = recordingScope();
      current = await buildTestApp({ scopes: { [area]: setup } });
      for (const request of REQUESTS) await send(current.app, request);
      expect(seen).toEqual(REQUESTS.filter((r) => r.area === area).map((r) => r.url));
    });
  }

  it('lets an area refuse requests with a catalogue problem, as authentication will, leaving the other areas and CORS preflights open', async () => {
    current = await buildTestApp({
      scopes: {
        audit: (scope) => {
          scope.addHook('onRequest', async () => {
            throw new ApiProblem('UNAUTHENTICATED', 'no credentials were sent');
          });
        },
      },
    });
    const statuses: Record<string, number> = {};
    for (const request of REQUESTS) {
      const response = await send(current.app, request);
      statuses[`${request.method} ${request.url}`] = response.statusCode;
    }
    expect(statuses).toEqual({
      'POST /policy/evaluate': 200,
      'POST /v1/data/policy_gateway/decision': 200,
      'GET /v1/data': 200,
      // The scripted engine leaves data.system.main undefined.
      'POST /': 404,
      'GET /governance/audit': 401,
      [`GET /governance/audit/${UNKNOWN_ID}`]: 401,
      'GET /governance/access-log': 401,
      'GET /auth/config': 200,
      'GET /auth/me': 200,
      'GET /admin/keys': 200,
      'GET /health': 200,
      'GET /ready': 200,
      'GET /openapi.json': 200,
    });

    const refused = await current.app.inject({
      url: '/governance/audit',
      headers: { origin: ORIGIN, 'x-request-id': 'req-401' },
    });
    expect(refused.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    // The gateway's own id names the request, whatever the client sent.
    const requestId = refused.headers['x-request-id'];
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(refused.headers['access-control-allow-origin']).toBe(ORIGIN);
    expect(refused.json()).toEqual({
      type: 'urn:policy-gateway:problem:unauthenticated',
      title: 'Authentication required',
      status: 401,
      detail: 'no credentials were sent',
      code: 'UNAUTHENTICATED',
      request_id: requestId,
    });

    const preflight = await current.app.inject({
      method: 'OPTIONS',
      url: '/governance/audit',
      headers: { origin: ORIGIN, 'access-control-request-method': 'GET' },
    });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe(ORIGIN);
  });

  it('documents every route of every area in /openapi.json under its full URL', async () => {
    current = await buildTestApp();
    const document = (await current.app.inject({ url: '/openapi.json' })).json();
    expect(
      Object.entries(document.paths).flatMap(([path, operations]) =>
        Object.keys(operations as object).map((method) => `${method} ${path}`),
      ),
    ).toEqual([
      'post /policy/evaluate',
      'post /v1/data',
      'get /v1/data',
      'post /v1/data/*',
      'get /v1/data/*',
      'post /',
      'post /logs',
      'get /governance/audit',
      'get /governance/audit/{id}',
      'get /governance/audit/export',
      'get /governance/audit/stream',
      'get /governance/audit/stats',
      'get /governance/audit/integrity',
      'post /governance/audit/integrity/verify',
      'get /governance/audit/{id}/proof',
      'post /governance/audit/{id}/original',
      'post /governance/replays',
      'get /governance/replays/{id}',
      'get /governance/replays/{id}/changes',
      'get /governance/access-log',
      'get /auth/config',
      'get /auth/me',
      'get /admin/keys',
      'post /admin/keys',
      'post /admin/keys/{id}/revoke',
      'post /admin/subjects/{user_id}/erasure',
      'get /health',
      'get /ready',
      'get /openapi.json',
    ]);
  });
});
