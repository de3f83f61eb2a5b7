/**
 * Audited reads over HTTP (issue 10): every answer of a read of the audit trail is recorded in
 * the access log before it is sent — who, when, from where, which route and parameters, the
 * status and which entries were returned — and `GET /governance/access-log` lists those
 * records (its own reads included). Over the memory store; the database failures and restarts
 * are in `access-log-durability.test.ts`.
 */
import type { AccessLogRecord } from '@policy-gateway/governance-runtime';
import type { FastifyRequest } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiProblem } from '../src/api/problem.js';
import { AUDIT_PAGE_READ, NO_ITEMS_READ } from '../src/api/recorded-read.js';
import type { AreaScopes } from '../src/api/routes.js';
import { ApiKeyAuthenticator } from '../src/auth/api-key-authenticator.js';
import { ApiKeyManager } from '../src/auth/api-key-manager.js';
import { MemoryApiKeyRepository } from '../src/auth/memory/memory-api-key-repository.js';
import { type Principal, ROLES } from '../src/auth/principal.js';
import { auditEntry } from './support/audit-entry-fixture.js';
import { buildTestApp, type TestApp } from './support/build-test-app.js';

let current: TestApp | undefined;
afterEach(async () => {
  await current?.app.close();
  current = undefined;
});

async function appWith(count: number, scopes?: AreaScopes): Promise<TestApp> {
  current = await buildTestApp(scopes === undefined ? {} : { scopes });
  for (let minute = 0; minute < count; minute += 1) {
    await current.store.repository.append(
      auditEntry(minute, { userId: minute % 2 === 0 ? 'alice' : 'bob' }),
    );
  }
  return current;
}

/** What was recorded, newest first, read from the repository (not over HTTP, which would add one). */
async function recorded(t: TestApp): Promise<readonly AccessLogRecord[]> {
  return (await t.store.accessLog.query({ limit: 100 })).records;
}

async function get(t: TestApp, url: string, headers: Record<string, string> = {}) {
  const response = await t.app.inject({ method: 'GET', url, headers });
  return {
    status: response.statusCode,
    type: response.headers['content-type'],
    requestId: response.headers['x-request-id'],
    body: response.json(),
  };
}

describe('each read of the audit trail is recorded before it is answered', () => {
  it('records a page of GET /governance/audit: who, where from, the filters, the status and every entry id answered', async () => {
    const t = await appWith(7);
    const page = await get(t, '/governance/audit?user_id=alice&limit=3', {
      'user-agent': 'auditor-cli/1.0',
      'x-request-id': 'client-42',
    });
    expect(page.status).toBe(200);
    const [record, ...others] = await recorded(t);
    expect(others).toEqual([]);
    expect(record).toMatchObject({
      principalId: 'anonymous',
      method: 'GET',
      route: '/governance/audit',
      parameters: { user_id: 'alice', limit: 3 },
      status: 200,
      entryCount: 3,
      entryIds: page.body.entries.map((entry: { id: string }) => entry.id),
      requestId: page.requestId,
      clientRequestId: 'client-42',
      clientAddress: '127.0.0.1',
      userAgent: 'auditor-cli/1.0',
      gatewayInstance: 'test-gateway',
    });
  });

  it('records the default page size as the parameter the page was read with', async () => {
    const t = await appWith(2);
    await get(t, '/governance/audit');
    const [record] = await recorded(t);
    expect(record?.parameters).toEqual({ limit: 50 });
    expect(record?.entryCount).toBe(2);
  });

  it('records a cursor as present, never the cursor itself, and the entries of that page', async () => {
    const t = await appWith(5);
    const first = await get(t, '/governance/audit?limit=2');
    const cursor = first.body.next_cursor as string;
    const second = await get(t, `/governance/audit?limit=2&cursor=${cursor}`);
    const [secondRecord, firstRecord] = await recorded(t);
    expect(firstRecord?.parameters).toEqual({ limit: 2 });
    expect(secondRecord?.parameters).toEqual({ limit: 2, cursor: true });
    expect(JSON.stringify(secondRecord)).not.toContain(cursor.slice(0, 20));
    expect(secondRecord?.entryIds).toEqual(
      second.body.entries.map((entry: { id: string }) => entry.id),
    );
  });

  it('records GET /governance/audit/{id} with the id asked for and the entry answered', async () => {
    const t = await appWith(3);
    const [entry] = (await t.store.repository.query({ limit: 1 })).entries;
    const answer = await get(t, `/governance/audit/${entry?.id}`);
    expect(answer.status).toBe(200);
    const [record] = await recorded(t);
    expect(record).toMatchObject({
      route: '/governance/audit/:id',
      parameters: { id: entry?.id },
      status: 200,
      entryCount: 1,
      entryIds: [entry?.id],
    });
  });

  it.each([
    {
      note: 'an id nobody has (404)',
      url: '/governance/audit/00000000-0000-4000-8000-000000000000',
      status: 404,
      parameters: { id: '00000000-0000-4000-8000-000000000000' },
    },
    {
      note: 'an id that is not a UUID (400)',
      url: '/governance/audit/42',
      status: 400,
      parameters: { id: '42' },
    },
    {
      note: 'an altered cursor (400)',
      url: '/governance/audit?cursor=forged',
      status: 400,
      parameters: { cursor: true, limit: 50 },
    },
    {
      note: 'an unknown parameter (400)',
      url: '/governance/audit?colour=red',
      status: 400,
      // The effective query: validation fills in the default limit before it refuses.
      parameters: { colour: 'red', limit: 50 },
    },
  ])('records a refused read, $note, with no entries', async ({ url, status, parameters }) => {
    const t = await appWith(1);
    expect((await get(t, url)).status).toBe(status);
    const [record] = await recorded(t);
    expect(record).toMatchObject({ status, entryCount: 0, entryIds: [] });
    expect(record?.parameters).toEqual(parameters);
  });

  it('records a parameter holding U+0000 with the character replaced, and still answers 400', async () => {
    const t = await appWith(1);
    const answer = await get(t, '/governance/audit?user_id=a%00b');
    expect(answer.status).toBe(400);
    const [record] = await recorded(t);
    expect(record?.parameters).toMatchObject({ user_id: 'a\ufffdb' });
  });

  it('records a HEAD request too: its headers say how large the answer is', async () => {
    const t = await appWith(2);
    const response = await t.app.inject({ method: 'HEAD', url: '/governance/audit' });
    expect(response.statusCode).toBe(200);
    const [record] = await recorded(t);
    expect(record).toMatchObject({ method: 'HEAD', route: '/governance/audit', entryCount: 2 });
  });

  it('records nothing for the routes that do not read the trail', async () => {
    const t = await appWith(1);
    await t.app.inject({ url: '/health' });
    await t.app.inject({ url: '/ready' });
    await t.app.inject({
      method: 'POST',
      url: '/policy/evaluate',
      payload: { prompt: 'hi', user_id: 'alice' },
    });
    expect(await recorded(t)).toEqual([]);
  });
});

describe('a later read of the trail opts in with one line', () => {
  it('records a route declaring config.accessLog, whether it returns an object or sends JSON text', async () => {
    const t = await appWith(2);
    const [newest] = (await t.store.repository.query({ limit: 1 })).entries;
    const page = { entries: [{ id: newest?.id }], next_cursor: null };
    t.app.get('/test/returned', { config: { accessLog: AUDIT_PAGE_READ } }, async () => page);
    t.app.get('/test/sent-as-text', { config: { accessLog: AUDIT_PAGE_READ } }, (_r, reply) =>
      reply.type('application/json').send(JSON.stringify(page)),
    );
    t.app.get('/test/not-a-read', async () => page);
    for (const url of ['/test/returned', '/test/sent-as-text', '/test/not-a-read']) {
      expect((await t.app.inject({ url })).statusCode).toBe(200);
    }
    expect((await recorded(t)).map(({ route, entryIds }) => ({ route, entryIds }))).toEqual([
      { route: '/test/sent-as-text', entryIds: [newest?.id] },
      { route: '/test/returned', entryIds: [newest?.id] },
    ]);
  });

  it('refuses such a route too when its read cannot be recorded', async () => {
    const t = await appWith(1);
    t.app.get('/test/integrity', { config: { accessLog: NO_ITEMS_READ } }, async () => ({
      ok: true,
    }));
    await t.store.accessLog.close();
    const answer = await t.app.inject({ url: '/test/integrity' });
    expect(answer.statusCode).toBe(503);
    expect(answer.json().code).toBe('ACCESS_LOG_UNAVAILABLE');
  });
});

describe('who read', () => {
  const auditor: Principal = {
    kind: 'api_key',
    id: 'key:0b5e',
    name: 'compliance laptop',
    subject: null,
    roles: ['auditor'],
  };
  const evaluator: Principal = { ...auditor, id: 'key:e7a1', roles: ['evaluator'] };
  /** A stand-in for the authentication guard: what it leaves on the request for each caller. */
  const guardedBy = (guard: (request: FastifyRequest) => void): AreaScopes => ({
    audit: (scope) => {
      scope.addHook('onRequest', async (request) => guard(request));
    },
  });
  const setPrincipal = (request: FastifyRequest, principal: Principal) => {
    (request as { principal?: Principal }).principal = principal;
  };

  it('records the principal the guard authenticated, by its id', async () => {
    const t = await appWith(
      1,
      guardedBy((request) => setPrincipal(request, auditor)),
    );
    await get(t, '/governance/audit');
    expect((await recorded(t))[0]?.principalId).toBe('key:0b5e');
  });

  it('records a read refused for want of the role (403), naming who tried', async () => {
    const t = await appWith(
      1,
      guardedBy((request) => {
        setPrincipal(request, evaluator);
        throw new ApiProblem('FORBIDDEN', 'this route needs the auditor role');
      }),
    );
    const answer = await get(t, '/governance/audit');
    expect(answer.status).toBe(403);
    expect(await recorded(t)).toMatchObject([
      { principalId: 'key:e7a1', status: 403, entryCount: 0, entryIds: [] },
    ]);
  });

  it('does not record a request refused before anyone was identified (401)', async () => {
    const t = await appWith(
      1,
      guardedBy(() => {
        throw new ApiProblem('UNAUTHENTICATED', 'this route needs credentials');
      }),
    );
    expect((await get(t, '/governance/audit')).status).toBe(401);
    expect(await recorded(t)).toEqual([]);
  });

  it('keeps every role of the anonymous principal out of the record: only its id is stored', async () => {
    const t = await appWith(1);
    await get(t, '/governance/audit');
    expect(ROLES.length).toBeGreaterThan(0);
    expect(Object.keys((await recorded(t))[0] ?? {})).not.toContain('roles');
  });
});

describe('who read, with authentication on and real API keys', () => {
  it('records the parameters of a refused read typed as those of a served one (limit a number)', async () => {
    const keys = new MemoryApiKeyRepository();
    current = await buildTestApp({
      authentication: {
        mode: { mode: 'on', unsafe: false },
        authenticators: { api_key: new ApiKeyAuthenticator(keys) },
      },
    });
    const manager = new ApiKeyManager(keys);
    const auditor = await manager.create({ role: 'auditor' });
    const evaluator = await manager.create({ role: 'evaluator' });
    const url = '/governance/audit?limit=3&user_id=42';
    expect((await get(current, url, { authorization: `Bearer ${evaluator.key}` })).status).toBe(
      403,
    );
    expect((await get(current, url, { authorization: `Bearer ${auditor.key}` })).status).toBe(200);
    const [served, refused] = await recorded(current);
    expect(served?.parameters).toEqual({ limit: 3, user_id: '42' });
    expect(refused?.parameters).toEqual(served?.parameters);
  });

  it('records the key that read, refusals by role with the key that tried, and no 401', async () => {
    const keys = new MemoryApiKeyRepository();
    current = await buildTestApp({
      authentication: {
        mode: { mode: 'on', unsafe: false },
        authenticators: { api_key: new ApiKeyAuthenticator(keys) },
      },
    });
    const t = current;
    await t.store.repository.append(auditEntry(0));
    const manager = new ApiKeyManager(keys);
    const auditor = await manager.create({ role: 'auditor', name: 'compliance' });
    const evaluator = await manager.create({ role: 'evaluator', name: 'chat backend' });
    const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

    expect((await get(t, '/governance/audit', bearer(auditor.key))).status).toBe(200);
    expect((await get(t, '/governance/audit', bearer(evaluator.key))).status).toBe(403);
    expect((await get(t, '/governance/access-log', bearer(evaluator.key))).status).toBe(403);
    expect((await get(t, '/governance/audit')).status).toBe(401);
    expect((await get(t, '/governance/audit', bearer('pgw_not_a_key'))).status).toBe(401);

    expect(
      (await recorded(t)).map(({ principalId, route, status, entryCount }) => ({
        principalId,
        route,
        status,
        entryCount,
      })),
    ).toEqual([
      {
        principalId: `key:${evaluator.description.id}`,
        route: '/governance/access-log',
        status: 403,
        entryCount: 0,
      },
      {
        principalId: `key:${evaluator.description.id}`,
        route: '/governance/audit',
        status: 403,
        entryCount: 0,
      },
      {
        principalId: `key:${auditor.description.id}`,
        route: '/governance/audit',
        status: 200,
        entryCount: 1,
      },
    ]);
    // No record carries the credential.
    expect(JSON.stringify(await recorded(t))).not.toContain(auditor.key);
  });
});

describe('fail-closed: a read that cannot be recorded is not served', () => {
  it.each([
    { note: 'a page', url: '/governance/audit' },
    { note: 'an entry', url: 'entry' },
    {
      note: 'an unknown id (whether it exists is not told)',
      url: '/governance/audit/00000000-0000-4000-8000-000000000000',
    },
    { note: 'the access log', url: '/governance/access-log' },
  ])('answers 503 ACCESS_LOG_UNAVAILABLE with no audit data for $note', async ({ url }) => {
    const t = await appWith(3);
    const [entry] = (await t.store.repository.query({ limit: 1 })).entries;
    // The access log stops taking records (a real refusal of the memory adapter, not a double).
    await t.store.accessLog.close();
    const answer = await get(t, url === 'entry' ? `/governance/audit/${entry?.id}` : url);
    expect(answer.status).toBe(503);
    expect(answer.type).toMatch(/^application\/problem\+json/);
    expect(answer.body).toMatchObject({ code: 'ACCESS_LOG_UNAVAILABLE', status: 503 });
    expect(answer.body.request_id).toBe(answer.requestId);
    expect(Object.keys(answer.body).sort()).toEqual(
      ['code', 'detail', 'request_id', 'status', 'title', 'type'].sort(),
    );
    expect(JSON.stringify(answer.body)).not.toContain(entry?.id);
  });
});

describe('GET /governance/access-log', () => {
  it('lists the records newest first, with its own read recorded as well', async () => {
    const t = await appWith(3);
    const page = await get(t, '/governance/audit?limit=2');
    const first = await get(t, '/governance/access-log');
    expect(first.status).toBe(200);
    expect(first.body.next_cursor).toBeNull();
    expect(first.body.records).toHaveLength(1);
    const [read] = first.body.records;
    expect(read).toMatchObject({
      principal_id: 'anonymous',
      method: 'GET',
      route: '/governance/audit',
      parameters: { limit: 2 },
      status: 200,
      entry_count: 2,
      entry_ids: page.body.entries.map((entry: { id: string }) => entry.id),
      request_id: page.requestId,
      client_address: '127.0.0.1',
      gateway_instance: 'test-gateway',
    });
    expect(Object.keys(read)).toEqual([
      'id',
      'occurred_at',
      'principal_id',
      'method',
      'route',
      'parameters',
      'status',
      'entry_count',
      'entry_ids',
      'request_id',
      'client_request_id',
      'client_address',
      'user_agent',
      'gateway_instance',
    ]);
    const second = await get(t, '/governance/access-log');
    expect(second.body.records.map((r: { route: string }) => r.route)).toEqual([
      '/governance/access-log',
      '/governance/audit',
    ]);
    expect(second.body.records[0]).toMatchObject({
      status: 200,
      entry_count: 1,
      entry_ids: [read.id],
    });
  });

  it('filters by principal, route, entry read and time, and pages with signed cursors', async () => {
    const t = await appWith(4);
    const [newest] = (await t.store.repository.query({ limit: 1 })).entries;
    await get(t, '/governance/audit?limit=1');
    await get(t, `/governance/audit/${newest?.id}`);
    await get(t, '/governance/audit?user_id=bob');
    const byRoute = await get(t, '/governance/access-log?route=/governance/audit/:id');
    expect(byRoute.body.records.map((r: { parameters: unknown }) => r.parameters)).toEqual([
      { id: newest?.id },
    ]);
    const byEntry = await get(t, `/governance/access-log?entry_id=${newest?.id}`);
    // The newest entry is bob's: all three reads answered it.
    expect(byEntry.body.records.map((r: { parameters: unknown }) => r.parameters)).toEqual([
      { user_id: 'bob', limit: 50 },
      { id: newest?.id },
      { limit: 1 },
    ]);
    const byPrincipal = await get(t, '/governance/access-log?principal_id=key:nobody');
    expect(byPrincipal.body.records).toEqual([]);
    const future = await get(t, '/governance/access-log?since=2999-01-01T00:00:00Z');
    expect(future.body.records).toEqual([]);
    const past = await get(t, '/governance/access-log?until=2000-01-01T00:00:00Z');
    expect(past.body.records).toEqual([]);

    const seen: string[] = [];
    let url = '/governance/access-log?route=/governance/audit&limit=1';
    for (let pages = 0; pages < 5; pages += 1) {
      const page = await get(t, url);
      expect(page.status).toBe(200);
      seen.push(...page.body.records.map((r: { id: string }) => r.id));
      if (page.body.next_cursor === null) break;
      url = `/governance/access-log?route=/governance/audit&limit=1&cursor=${page.body.next_cursor}`;
    }
    const audited = (await recorded(t)).filter((r) => r.route === '/governance/audit');
    expect(seen).toEqual(audited.map((r) => r.id));
    expect(seen).toHaveLength(2);
  });

  it.each([
    {
      note: 'limit above 100',
      query: 'limit=101',
      field: 'limit',
      code: 'INVALID_QUERY_PARAMETER',
    },
    { note: 'limit 0', query: 'limit=0', field: 'limit', code: 'INVALID_QUERY_PARAMETER' },
    {
      note: 'an entry id that is not a UUID',
      query: 'entry_id=42',
      field: 'entry_id',
      code: 'INVALID_QUERY_PARAMETER',
    },
    {
      note: 'a bad date',
      query: 'since=yesterday',
      field: 'since',
      code: 'INVALID_QUERY_PARAMETER',
    },
    {
      note: 'an unknown parameter',
      query: 'user_id=alice',
      field: 'user_id',
      code: 'INVALID_QUERY_PARAMETER',
    },
    { note: 'an altered cursor', query: 'cursor=abc.def', field: 'cursor', code: 'INVALID_CURSOR' },
  ])('refuses $note with 400 $code naming the parameter', async ({ query, field, code }) => {
    const t = await appWith(1);
    const answer = await get(t, `/governance/access-log?${query}`);
    expect(answer.status).toBe(400);
    expect(answer.type).toMatch(/^application\/problem\+json/);
    expect(answer.body).toMatchObject({ code, field });
  });

  it('refuses a cursor of the audit list signed with another key', async () => {
    const t = await appWith(3);
    const other = await buildTestApp({
      settings: { cursorSecret: 'another key of at least thirty-two characters' },
    });
    try {
      for (let i = 0; i < 3; i += 1) await get(other, '/governance/audit');
      const page = await get(other, '/governance/access-log?limit=1');
      const answer = await get(t, `/governance/access-log?cursor=${page.body.next_cursor}`);
      expect(answer.status).toBe(400);
      expect(answer.body.code).toBe('INVALID_CURSOR');
    } finally {
      await other.app.close();
    }
  });

  it('is documented in /openapi.json with its filters and answers', async () => {
    const t = await appWith(0);
    const document = (await get(t, '/openapi.json')).body;
    const operation = document.paths['/governance/access-log'].get;
    expect(operation.parameters.map((p: { name: string }) => p.name)).toEqual([
      'limit',
      'cursor',
      'principal_id',
      'route',
      'entry_id',
      'since',
      'until',
    ]);
    expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['200', '400', '503']));
  });
});
