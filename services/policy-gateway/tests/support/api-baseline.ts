/**
 * What the HTTP API looks like from outside, captured so that a refactoring of the routes
 * can be compared with the API before it: the OpenAPI document, and the shape (status,
 * content type, key sets and value types) of a representative answer per route and error.
 * `tests/api-baseline.test.ts` compares the live API with the checked-in capture.
 *
 * Recapture (only when the API changes on purpose, and say why in the commit):
 * npx tsx services/policy-gateway/tests/support/api-baseline.ts
 */
import { writeFileSync } from 'node:fs';
import type { InjectOptions } from 'fastify';
import { buildTestApp } from './build-test-app.js';

export const OPENAPI_BASELINE = new URL('../fixtures/openapi-baseline.json', import.meta.url);
export const RESPONSE_SHAPES_BASELINE = new URL(
  '../fixtures/response-shapes-baseline.json',
  import.meta.url,
);

/**
 * A JSON value with every leaf replaced by its type name, except the members whose values
 * clients branch on (a problem's `code`, a decision), which are kept; arrays list their
 * distinct shapes.
 */
export type Shape = string | number | boolean | Shape[] | { [key: string]: Shape };

const STABLE_MEMBERS = new Set(['code', 'status', 'title', 'type', 'field', 'decision', 'allow']);

export function shapeOf(value: unknown, key?: string): Shape {
  if (value === null) return 'null';
  if (key !== undefined && STABLE_MEMBERS.has(key) && typeof value !== 'object') {
    return value as string | number | boolean;
  }
  if (Array.isArray(value)) {
    const shapes = new Map<string, Shape>();
    for (const item of value) {
      const shape = shapeOf(item);
      shapes.set(JSON.stringify(shape), shape);
    }
    return [...shapes.values()];
  }
  if (typeof value === 'object') {
    const keys = Object.keys(value as object).sort();
    return Object.fromEntries(
      keys.map((name) => [name, shapeOf((value as Record<string, unknown>)[name], name)]),
    );
  }
  return typeof value;
}

export interface ResponseShape {
  readonly status: number;
  readonly contentType: string | null;
  /** Headers whose presence clients rely on (CORS, request id), with their values when stable. */
  readonly headers: Record<string, string>;
  readonly body: Shape | null;
}

const ORIGIN = 'http://localhost:5173';
const RELIED_ON_HEADERS = [
  'access-control-allow-origin',
  'access-control-allow-methods',
  'access-control-expose-headers',
  'vary',
] as const;

async function capture(
  inject: (options: InjectOptions) => Promise<{
    statusCode: number;
    headers: Record<string, unknown>;
    body: string;
  }>,
  options: InjectOptions,
): Promise<ResponseShape> {
  const response = await inject({
    ...options,
    headers: { origin: ORIGIN, ...options.headers },
  });
  const headers: Record<string, string> = {};
  for (const name of RELIED_ON_HEADERS) {
    const value = response.headers[name];
    if (value !== undefined) headers[name] = String(value);
  }
  if (response.headers['x-request-id'] !== undefined) headers['x-request-id'] = 'present';
  return {
    status: response.statusCode,
    contentType: (response.headers['content-type'] as string | undefined) ?? null,
    headers,
    body: response.body === '' ? null : shapeOf(JSON.parse(response.body)),
  };
}

export interface ApiSnapshot {
  readonly openapi: Record<string, unknown>;
  readonly responses: Record<string, ResponseShape>;
}

/** Drives the app built as the route tests build it through one request per case. */
export async function apiSnapshot(): Promise<ApiSnapshot> {
  const { app } = await buildTestApp();
  try {
    const inject = (options: InjectOptions) => app.inject(options);
    const evaluate = (payload: unknown, headers: Record<string, string> = {}) =>
      capture(inject, {
        method: 'POST',
        url: '/policy/evaluate',
        payload: payload as object,
        headers,
      });
    const responses: Record<string, ResponseShape> = {};
    responses['GET /health'] = await capture(inject, { url: '/health' });
    responses['GET /ready'] = await capture(inject, { url: '/ready' });
    responses['POST /policy/evaluate allow'] = await evaluate({ prompt: 'hi', user_id: 'alice' });
    responses['POST /policy/evaluate deny'] = await evaluate({
      prompt: 'SECRET',
      user_id: 'alice',
      context: { app: 'chat' },
    });
    responses['POST /policy/evaluate failed evaluation'] = await evaluate({
      prompt: 'FAIL',
      user_id: 'alice',
    });
    responses['POST /policy/evaluate missing field'] = await evaluate({ prompt: 'hi' });
    responses['POST /policy/evaluate malformed JSON'] = await capture(inject, {
      method: 'POST',
      url: '/policy/evaluate',
      headers: { 'content-type': 'application/json' },
      payload: '{"prompt":',
    });
    responses['POST /policy/evaluate text/plain'] = await capture(inject, {
      method: 'POST',
      url: '/policy/evaluate',
      headers: { 'content-type': 'text/plain' },
      payload: 'hi',
    });
    responses['POST /policy/evaluate prompt too large'] = await evaluate({
      prompt: 'x'.repeat(65),
      user_id: 'alice',
    });
    responses['OPTIONS /policy/evaluate preflight'] = await capture(inject, {
      method: 'OPTIONS',
      url: '/policy/evaluate',
      headers: { 'access-control-request-method': 'POST' },
    });
    const page = await app.inject({ url: '/governance/audit?limit=1' });
    const id = (page.json() as { entries: { id: string }[] }).entries[0]?.id ?? '';
    responses['GET /governance/audit'] = await capture(inject, { url: '/governance/audit' });
    responses['GET /governance/audit unknown parameter'] = await capture(inject, {
      url: '/governance/audit?colour=red',
    });
    responses['GET /governance/audit bad cursor'] = await capture(inject, {
      url: '/governance/audit?cursor=nope',
    });
    responses['GET /governance/audit/:id'] = await capture(inject, {
      url: `/governance/audit/${id}`,
    });
    responses['GET /governance/audit/:id unknown'] = await capture(inject, {
      url: '/governance/audit/00000000-0000-4000-8000-000000000000',
    });
    responses['GET /governance/audit/:id not a UUID'] = await capture(inject, {
      url: '/governance/audit/42',
    });
    responses['GET /governance/access-log'] = await capture(inject, {
      url: '/governance/access-log',
    });
    responses['GET /governance/access-log bad limit'] = await capture(inject, {
      url: '/governance/access-log?limit=0',
    });
    responses['GET unknown route'] = await capture(inject, { url: '/policy/nope' });
    responses['GET /openapi.json'] = await capture(inject, { url: '/openapi.json' });
    const openapi = (await app.inject({ url: '/openapi.json' })).json() as Record<string, unknown>;
    // The document's own shape is compared in full, not as a shape.
    responses['GET /openapi.json'] = { ...responses['GET /openapi.json'], body: 'document' };
    return { openapi, responses };
  } finally {
    await app.close();
  }
}

if (process.argv[1]?.endsWith('api-baseline.ts')) {
  const snapshot = await apiSnapshot();
  writeFileSync(OPENAPI_BASELINE, `${JSON.stringify(snapshot.openapi, null, 2)}\n`);
  writeFileSync(RESPONSE_SHAPES_BASELINE, `${JSON.stringify(snapshot.responses, null, 2)}\n`);
}
