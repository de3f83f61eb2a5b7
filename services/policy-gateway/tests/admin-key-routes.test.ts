/**
 * The admin key routes behind the real guard with authentication on: an admin makes, lists
 * and revokes keys over HTTP; the new key works at once and stops working once revoked;
 * other roles and anonymous callers are refused; bad input is a problem answer.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKeyAuthenticator } from '../src/auth/api-key-authenticator.js';
import { ApiKeyManager } from '../src/auth/api-key-manager.js';
import { createMemoryStore } from '../src/store/memory-store.js';
import { buildTestApp } from './support/build-test-app.js';

let app: FastifyInstance;
let adminKey: string;
let evaluatorKey: string;

beforeAll(async () => {
  const store = createMemoryStore(100);
  const keys = new ApiKeyManager(store.apiKeys);
  adminKey = (await keys.create({ role: 'admin', name: 'bootstrap' })).key;
  evaluatorKey = (await keys.create({ role: 'evaluator' })).key;
  ({ app } = await buildTestApp({
    store,
    authentication: {
      mode: { mode: 'on', unsafe: false },
      authenticators: { api_key: new ApiKeyAuthenticator(store.apiKeys) },
    },
  }));
});

afterAll(async () => {
  await app?.close();
});

const as = (key: string) => ({ authorization: `Bearer ${key}` });

describe('the admin key routes', () => {
  it('let an admin make a key that works at once, list it and revoke it', async () => {
    const created = await app.inject({
      method: 'POST',
      url: '/admin/keys',
      headers: as(adminKey),
      payload: { role: 'admin', name: 'ops', expires: '30d' },
    });
    expect(created.statusCode, created.body).toBe(201);
    const body = created.json() as { id: string; key: string; created_by: string };
    expect(body.key).toMatch(/^pgw_/);
    expect(body.created_by).toMatch(/^key:/);

    const listed = await app.inject({ url: '/admin/keys', headers: as(body.key) });
    expect(listed.statusCode).toBe(200);
    expect(listed.body).toContain(body.id);
    expect(listed.body).not.toContain(body.key);

    const revoked = await app.inject({
      method: 'POST',
      url: `/admin/keys/${body.id}/revoke`,
      headers: as(adminKey),
    });
    expect(revoked.statusCode).toBe(200);
    expect((revoked.json() as { revoked_at: string | null }).revoked_at).not.toBeNull();
    const after = await app.inject({ url: '/admin/keys', headers: as(body.key) });
    expect(after.statusCode).toBe(401);
    expect(after.headers['content-type']).toContain('application/problem+json');
  });

  it('refuse callers without credentials (401) and without the admin role (403)', async () => {
    expect((await app.inject({ url: '/admin/keys' })).statusCode).toBe(401);
    const forbidden = await app.inject({ url: '/admin/keys', headers: as(evaluatorKey) });
    expect(forbidden.statusCode).toBe(403);
    expect((forbidden.json() as { code: string }).code).toBe('FORBIDDEN');
  });

  it.each([
    { payload: { role: 'root' }, field: 'role', note: 'unknown role' },
    { payload: { role: 'admin', expires: '1y' }, field: 'expires', note: 'bad expiry' },
    { payload: { role: 'admin', name: ' ' }, field: 'name', note: 'blank name' },
    { payload: { role: 'admin', colour: 'red' }, field: 'colour', note: 'unknown field' },
  ])(
    'answer a bad request ($note) with a 400 problem naming the field',
    async ({ payload, field }) => {
      const response = await app.inject({
        method: 'POST',
        url: '/admin/keys',
        headers: as(adminKey),
        payload,
      });
      expect(response.statusCode).toBe(400);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect((response.json() as { field?: string }).field).toContain(field);
    },
  );

  it('answer 404 for a key that does not exist and 400 for a malformed id', async () => {
    const unknown = await app.inject({
      method: 'POST',
      url: '/admin/keys/NoSuchKey123/revoke',
      headers: as(adminKey),
    });
    expect(unknown.statusCode).toBe(404);
    expect((unknown.json() as { code: string }).code).toBe('NOT_FOUND');
    const malformed = await app.inject({
      method: 'POST',
      url: '/admin/keys/x/revoke',
      headers: as(adminKey),
    });
    expect(malformed.statusCode).toBe(400);
  });
});
