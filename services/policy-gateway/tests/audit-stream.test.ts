/**
 * The live tail (issue 17): `GET /governance/audit/stream` sends each entry committed after it
 * opened that the list's filters select, as a server-sent event carrying the entry as the list
 * serves it; resumes after `Last-Event-ID`; bounds how many tails one caller and the gateway
 * hold; ends its tails when the gateway closes; and, on one PostgreSQL server, delivers an entry
 * committed through one gateway to a client of another within a second.
 */
import type { AddressInfo } from 'node:net';
import type { AuditEntry, AuditPage } from '@policy-gateway/gateway-contract';
import { createTestDatabase, type TestDatabase } from '@policy-gateway/governance-runtime/testing';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { AuditStreamAdmission } from '../src/api/audit-stream-admission.js';
import type { ApiProblem } from '../src/api/problem.js';
import { buildApp } from '../src/app.js';
import { ApiKeyAuthenticator } from '../src/auth/api-key-authenticator.js';
import { ApiKeyManager } from '../src/auth/api-key-manager.js';
import { ANONYMOUS_PRINCIPAL } from '../src/auth/principal.js';
import { loadSettings } from '../src/config/settings.js';
import { openDatabase } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migration-runner.js';
import { createMemoryStore } from '../src/store/memory-store.js';
import { openAuditStore } from '../src/store/open-audit-store.js';
import { buildTestApp, TEST_APP_SETTINGS } from './support/build-test-app.js';
import { ScriptedPolicyEngine } from './support/scripted-policy-engine.js';

interface StreamEvent {
  readonly event: string;
  readonly id: string | undefined;
  readonly data: string;
}

/** A client of the stream as the Workbench reads it: fetch, and the SSE framing by hand. */
class StreamClient {
  readonly events: StreamEvent[] = [];
  readonly #abort = new AbortController();
  #waiters: (() => void)[] = [];
  ended = false;

  static async open(
    base: string,
    query = '',
    lastEventId?: string,
    headers: Record<string, string> = {},
  ): Promise<StreamClient> {
    const client = new StreamClient();
    const response = await fetch(`${base}/governance/audit/stream${query}`, {
      headers: lastEventId === undefined ? headers : { ...headers, 'last-event-id': lastEventId },
      signal: client.#abort.signal,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    void client.#read(response.body!);
    return client;
  }

  async #read(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let text = '';
    try {
      for await (const chunk of body) {
        text += decoder.decode(chunk, { stream: true });
        let end = text.indexOf('\n\n');
        while (end >= 0) {
          const block = text.slice(0, end);
          text = text.slice(end + 2);
          const fields = block.split('\n').filter((line) => !line.startsWith(':'));
          const value = (name: string) =>
            fields.find((line) => line.startsWith(`${name}: `))?.slice(name.length + 2);
          if (fields.some((line) => line.startsWith('data: '))) {
            this.events.push({
              event: value('event') ?? 'message',
              id: value('id'),
              data: value('data')!,
            });
          }
          end = text.indexOf('\n\n');
        }
        for (const wake of this.#waiters.splice(0)) wake();
      }
    } catch {
      // Aborted by close().
    }
    this.ended = true;
    for (const wake of this.#waiters.splice(0)) wake();
  }

  get entries(): AuditEntry[] {
    return this.events.filter((e) => e.event === 'entry').map((e) => JSON.parse(e.data));
  }

  /** Resolves once `count` entries arrived, or rejects after `timeoutMs`. */
  async waitForEntries(count: number, timeoutMs = 3000): Promise<AuditEntry[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.entries.length < count) {
      if (Date.now() > deadline || this.ended) {
        throw new Error(`${this.entries.length} of ${count} entries arrived`);
      }
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
    return this.entries;
  }

  close(): void {
    this.#abort.abort();
  }
}

const apps: FastifyInstance[] = [];
const clients: StreamClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  for (const app of apps.splice(0)) await app.close();
});

async function listen(app: FastifyInstance): Promise<string> {
  apps.push(app);
  await app.listen({ port: 0, host: '127.0.0.1' });
  return `http://localhost:${(app.server.address() as AddressInfo).port}`;
}

async function open(base: string, query = '', lastEventId?: string): Promise<StreamClient> {
  const client = await StreamClient.open(base, query, lastEventId);
  clients.push(client);
  return client;
}

async function evaluate(base: string, userId: string, prompt = 'hello'): Promise<string> {
  const response = await fetch(`${base}/policy/evaluate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ prompt, user_id: userId }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { audit_id: string }).audit_id;
}

async function listed(base: string, query: string): Promise<AuditEntry[]> {
  return ((await (await fetch(`${base}/governance/audit?${query}`)).json()) as AuditPage).entries;
}

describe('GET /governance/audit/stream', () => {
  it('sends each entry committed after it opened that the filters select, as the list serves it, oldest first', async () => {
    const { app } = await buildTestApp();
    const base = await listen(app);
    await evaluate(base, 'alice', 'before the tail');
    const client = await open(base, '?user_id=alice&decision=allow');
    const first = await evaluate(base, 'alice');
    await evaluate(base, 'bob');
    await evaluate(base, 'alice', 'a SECRET');
    const second = await evaluate(base, 'alice');
    const entries = await client.waitForEntries(2);
    expect(entries.map((entry) => entry.id)).toEqual([first, second]);
    const asListed = await listed(base, 'user_id=alice&decision=allow&limit=2');
    expect(entries).toEqual([...asListed].reverse());
    // Each event's id is its entry's position, to resume from.
    expect(client.events.map((e) => e.id)).toEqual(
      entries.map((entry) => `${entry.occurred_at}/${entry.id}`),
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(client.entries).toHaveLength(2);
  });

  it('resumes after Last-Event-ID with the entries committed while the client was away', async () => {
    const { app } = await buildTestApp();
    const base = await listen(app);
    const client = await open(base);
    const seen = [await evaluate(base, 'alice'), await evaluate(base, 'alice')];
    await client.waitForEntries(2);
    const lastId = client.events.at(-1)!.id!;
    client.close();
    const missed = [await evaluate(base, 'alice'), await evaluate(base, 'bob')];
    const resumed = await open(base, '', lastId);
    const entries = await resumed.waitForEntries(2);
    expect(entries.map((entry) => entry.id)).toEqual(missed);
    expect(seen).not.toContain(entries[0]!.id);
  });

  it('refuses a Last-Event-ID it did not send, and an unknown filter, as problems', async () => {
    const { app } = await buildTestApp();
    const base = await listen(app);
    const badId = await fetch(`${base}/governance/audit/stream`, {
      headers: { 'last-event-id': 'yesterday' },
    });
    expect(badId.status).toBe(400);
    expect(badId.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(((await badId.json()) as { code: string }).code).toBe('INVALID_CURSOR');
    const badFilter = await fetch(`${base}/governance/audit/stream?limit=5`);
    expect(badFilter.status).toBe(400);
  });

  it('records the opening of a tail in the access log, with its filters', async () => {
    const { app, store } = await buildTestApp();
    const base = await listen(app);
    await open(base, '?decision=deny&user_id=alice');
    const [record] = (await store.accessLog.query({ limit: 1 })).records;
    expect(record).toMatchObject({
      route: '/governance/audit/stream',
      status: 200,
      parameters: { decision: 'deny', user_id: 'alice' },
    });
  });

  it("answers 429 with Retry-After beyond one caller's limit, and takes the caller again once one closes", async () => {
    const { app } = await buildTestApp();
    const base = await listen(app);
    const held = await Promise.all(Array.from({ length: 8 }, () => open(base)));
    const refused = await fetch(`${base}/governance/audit/stream`);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('5');
    expect(((await refused.json()) as { code: string }).code).toBe('TOO_MANY_AUDIT_STREAMS');
    held[0]!.close();
    await new Promise((resolve) => setTimeout(resolve, 200));
    await open(base);
  });

  it('ends its tails when the gateway closes, instead of holding the shutdown', async () => {
    const { app } = await buildTestApp();
    const base = await listen(app);
    const client = await open(base);
    apps.splice(apps.indexOf(app), 1);
    const started = Date.now();
    await app.close();
    expect(Date.now() - started).toBeLessThan(2000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(client.ended).toBe(true);
  });
});

describe('GET /governance/audit/stream with authentication on', () => {
  it('ends the tail of a key revoked while it reads, and keeps the tail of a key still valid', async () => {
    const store = createMemoryStore(100);
    const keys = new ApiKeyManager(store.apiKeys);
    const revoked = await keys.create({ role: 'auditor', name: 'to be revoked' });
    const kept = await keys.create({ role: 'auditor', name: 'kept' });
    const { app } = await buildTestApp({
      store,
      authentication: {
        mode: { mode: 'on', unsafe: false },
        authenticators: { api_key: new ApiKeyAuthenticator(store.apiKeys) },
      },
    });
    const base = await listen(app);
    const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
    const ending = await StreamClient.open(base, '', undefined, bearer(revoked.key));
    const staying = await StreamClient.open(base, '', undefined, bearer(kept.key));
    clients.push(ending, staying);
    await keys.revoke(revoked.description.id);
    // Credentials are checked again every 5 s.
    const deadline = Date.now() + 12_000;
    while (!ending.ended && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(ending.ended).toBe(true);
    expect(staying.ended).toBe(false);
    // And it cannot open another.
    const again = await fetch(`${base}/governance/audit/stream`, { headers: bearer(revoked.key) });
    expect(again.status).toBe(401);
  }, 30_000);
});

describe('AuditStreamAdmission', () => {
  it('answers 503 beyond the gateway-wide limit, whoever asks', () => {
    const admission = new AuditStreamAdmission({ perPrincipal: 5, total: 2 });
    const principal = (id: string) => ({ ...ANONYMOUS_PRINCIPAL, kind: 'api_key' as const, id });
    admission.admit(principal('key:a'), null);
    const release = admission.admit(principal('key:b'), null);
    expect(() => admission.admit(principal('key:c'), null)).toThrow(
      expect.objectContaining({ code: 'AUDIT_STREAMS_FULL' }) as ApiProblem,
    );
    release();
    release();
    expect(admission.total).toBe(1);
    admission.admit(principal('key:c'), null);
  });

  it('tells anonymous callers apart by address', () => {
    const admission = new AuditStreamAdmission({ perPrincipal: 1, total: 10 });
    admission.admit(ANONYMOUS_PRINCIPAL, '10.0.0.1');
    admission.admit(ANONYMOUS_PRINCIPAL, '10.0.0.2');
    expect(() => admission.admit(ANONYMOUS_PRINCIPAL, '10.0.0.1')).toThrow(
      expect.objectContaining({ code: 'TOO_MANY_AUDIT_STREAMS' }) as ApiProblem,
    );
  });
});

describe('across gateways sharing one PostgreSQL server', () => {
  let database: TestDatabase | undefined;
  afterEach(async () => {
    await database?.drop();
    database = undefined;
  });

  it('delivers an entry committed through one gateway to a tail on another within a second', async () => {
    database = await createTestDatabase();
    const settings = loadSettings({
      POLICY_GATEWAY_AUDIT_STORE_BACKEND: 'postgres',
      POLICY_GATEWAY_DATABASE_URL: database.url,
    });
    if (settings.store.backend === 'memory') throw new Error('a database backend was expected');
    const silent = pino({ level: 'silent' });
    const migrator = await openDatabase(settings.store, { log: silent, forMigrations: true });
    await migrateToLatest(migrator.db);
    await migrator.close();
    const replica = async (instanceName: string) =>
      listen(
        await buildApp({
          settings: { ...TEST_APP_SETTINGS, instanceName },
          store: await openAuditStore(settings.store, silent),
          engine: new ScriptedPolicyEngine(),
        }),
      );
    const a = await replica('gateway-a');
    const b = await replica('gateway-b');
    const tail = await open(a, '?user_id=carol');
    // The first notice also starts the listening connection: let it settle.
    await new Promise((resolve) => setTimeout(resolve, 500));
    for (let round = 0; round < 3; round += 1) {
      const started = Date.now();
      const id = await evaluate(b, 'carol');
      const entries = await tail.waitForEntries(round + 1, 1000);
      expect(entries.at(-1)?.id).toBe(id);
      expect(entries.at(-1)?.gateway_instance).toBe('gateway-b');
      expect(Date.now() - started).toBeLessThan(1000);
    }
  });
});
