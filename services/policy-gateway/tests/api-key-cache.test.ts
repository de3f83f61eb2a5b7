/**
 * The per-process cache of API key records, on a real PostgreSQL server: replicas answer a
 * known key from memory, and still refuse a revoked key — within the time a notification takes
 * when another replica revoked it, at once when they did, and at once when their LISTEN
 * connection was down while it happened. Expiry is checked against the cached record; the cache
 * holds only keys that exist, and at most as many as it is allowed.
 */
import { API_KEY_CHANGES_CHANNEL } from '@policy-gateway/governance-runtime/postgres';
import { createTestDatabase, type TestDatabase } from '@policy-gateway/governance-runtime/testing';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ApiKeyAuthenticator } from '../src/auth/api-key-authenticator.js';
import { type ApiKeyChanges, THIS_PROCESS_ONLY } from '../src/auth/api-key-changes.js';
import { ApiKeyManager } from '../src/auth/api-key-manager.js';
import {
  type ApiKeyCacheOptions,
  CachedApiKeyRepository,
} from '../src/auth/cached-api-key-repository.js';
import {
  PostgresApiKeyChangeListener,
  type PostgresApiKeyChangeListenerOptions,
} from '../src/auth/postgres/postgres-api-key-change-listener.js';
import { PostgresApiKeyRepository } from '../src/auth/postgres/postgres-api-key-repository.js';
import { migrateToLatest } from '../src/db/migration-runner.js';

let server: TestDatabase;
const closers: (() => Promise<void>)[] = [];

function connect(): Kysely<unknown> {
  const db = new Kysely<unknown>({
    dialect: new PostgresDialect({
      pool: new pg.Pool({ connectionString: server.url, max: 2 }),
    }),
  });
  closers.push(() => db.destroy());
  return db;
}

beforeAll(async () => {
  server = await createTestDatabase();
  const outcome = await migrateToLatest(connect());
  if (outcome.error !== undefined) throw outcome.error;
});

afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

afterAll(async () => {
  await server?.drop();
});

let replicas = 0;

/** One gateway replica's key path: its own pool, its own LISTEN connection, its cache. */
function replica(
  options: Partial<PostgresApiKeyChangeListenerOptions & ApiKeyCacheOptions> & {
    readonly now?: () => Date;
    readonly changes?: ApiKeyChanges;
  } = {},
) {
  replicas += 1;
  const applicationName = `api-key-cache test replica ${replicas}`;
  const listener = new PostgresApiKeyChangeListener({
    connectionString: server.url,
    applicationName,
    ...options,
  });
  const repository = PostgresApiKeyRepository.over(connect());
  const cache = new CachedApiKeyRepository(repository, options.changes ?? listener, {
    ttlMs: options.ttlMs ?? 30_000,
    maxEntries: options.maxEntries ?? 100,
    ...(options.nowMs === undefined ? {} : { nowMs: options.nowMs }),
  });
  const authenticator = new ApiKeyAuthenticator(cache, {
    ...(options.now === undefined ? {} : { now: options.now }),
    onClose: () => cache.close(),
  });
  closers.push(
    () => authenticator.close(),
    () => listener.close(),
  );
  return {
    applicationName,
    listener,
    cache,
    authenticator,
    keys: new ApiKeyManager(repository),
    accepts: async (key: string) => (await authenticator.authenticate(key)).principal !== undefined,
  };
}

/** Makes `replica` listen (the cache subscribes on its first lookup) and waits until it does. */
async function listening(node: ReturnType<typeof replica>): Promise<void> {
  await node.cache.findById('NoSuchKey000');
  await vi.waitFor(() => expect(node.listener.listening).toBe(true), { timeout: 10_000 });
}

/**
 * Waits until `node` accepts `key` from memory. A key's creation is announced too, and its
 * notification evicts the record if it arrives after the first lookup.
 */
async function answeredFromMemory(node: ReturnType<typeof replica>, key: string): Promise<void> {
  await vi.waitFor(
    async () => {
      const { hits } = node.cache.stats;
      expect(await node.accepts(key)).toBe(true);
      expect(node.cache.stats.hits).toBe(hits + 1);
    },
    { timeout: 5_000 },
  );
}

/** Ends a replica's LISTEN connection from the server's side, as a failover or restart would. */
async function dropListenConnection(applicationName: string): Promise<void> {
  const { rows } = await sql<{ ended: boolean }>`
    select pg_terminate_backend(pid) as ended from pg_stat_activity
    where application_name = ${applicationName}`.execute(connect());
  expect(rows.map((row) => row.ended)).toEqual([true]);
}

describe('two gateway replicas sharing one PostgreSQL database, each caching key records', () => {
  it('answer a known key from memory, and refuse it once either replica revoked it', async () => {
    const a = replica();
    const b = replica();
    await Promise.all([listening(a), listening(b)]);
    const { key, description } = await a.keys.create({ role: 'evaluator' });
    await answeredFromMemory(b, key);
    expect(await a.accepts(key)).toBe(true);

    await b.keys.revoke(description.id);
    // The replica that revoked it refuses it at once; the other once the notification came.
    expect(await b.accepts(key)).toBe(false);
    await vi.waitFor(async () => expect(await a.accepts(key)).toBe(false), { timeout: 5_000 });
  });

  it('refuse a key revoked by SQL outside any gateway, as the trigger announces every change', async () => {
    const a = replica();
    await listening(a);
    const { key, description } = await a.keys.create({ role: 'auditor' });
    await answeredFromMemory(a, key);
    await sql`update api_keys set revoked_at = now() where id = ${description.id}`.execute(
      connect(),
    );
    await vi.waitFor(async () => expect(await a.accepts(key)).toBe(false), { timeout: 5_000 });
  });

  it('honour a revocation made while the LISTEN connection was down: nothing is answered from memory meanwhile', async () => {
    // A long backoff keeps this replica deaf for the whole test.
    const deaf = replica({ initialBackoffMs: 600_000 });
    const other = replica();
    await listening(deaf);
    const { key, description } = await other.keys.create({ role: 'evaluator' });
    await answeredFromMemory(deaf, key);

    await dropListenConnection(deaf.applicationName);
    await vi.waitFor(() => expect(deaf.listener.listening).toBe(false), { timeout: 5_000 });
    // Used while deaf: looked up, and not kept, since a change could go unheard.
    expect(await deaf.accepts(key)).toBe(true);
    await other.keys.revoke(description.id);
    expect(await deaf.accepts(key)).toBe(false);
    expect(deaf.cache.stats.entries).toBe(0);
  });

  it('listen again after the connection is dropped, and from then on hear of revocations', async () => {
    const node = replica({ initialBackoffMs: 50 });
    const other = replica();
    await listening(node);
    await dropListenConnection(node.applicationName);
    await vi.waitFor(
      async () => {
        const { rows } = await sql<{ pid: number }>`
          select pid from pg_stat_activity where application_name = ${node.applicationName}
          and query ilike ${`listen ${API_KEY_CHANGES_CHANNEL}`}`.execute(connect());
        expect(rows).toHaveLength(1);
        expect(node.listener.listening).toBe(true);
      },
      { timeout: 10_000 },
    );
    const { key, description } = await other.keys.create({ role: 'evaluator' });
    await answeredFromMemory(node, key);
    await other.keys.revoke(description.id);
    await vi.waitFor(async () => expect(await node.accepts(key)).toBe(false), { timeout: 5_000 });
  });
});

describe('a cache of key records', () => {
  it('refuses a key from the moment it expires, although its record is answered from memory', async () => {
    let clock = new Date('2026-12-01T10:00:00Z');
    const node = replica({ now: () => clock, changes: THIS_PROCESS_ONLY });
    const expiresAt = new Date(clock.getTime() + 3_600_000);
    const { key } = await node.keys.create({ role: 'auditor', expiresAt });
    expect(await node.accepts(key)).toBe(true);
    clock = new Date(expiresAt.getTime() - 1);
    expect(await node.accepts(key)).toBe(true);
    const { hits } = node.cache.stats;
    clock = expiresAt;
    const refusal = await node.authenticator.authenticate(key);
    expect(refusal.principal).toBeUndefined();
    expect(refusal.refusal).toContain('expired');
    expect(node.cache.stats.hits).toBe(hits + 1);
  });

  it('keeps at most maxEntries keys, and never one that does not exist', async () => {
    const node = replica({ maxEntries: 3, changes: THIS_PROCESS_ONLY });
    const made = await Promise.all(
      Array.from({ length: 5 }, () => node.keys.create({ role: 'evaluator' })),
    );
    for (const { key } of made) expect(await node.accepts(key)).toBe(true);
    expect(node.cache.stats.entries).toBe(3);
    // The most recently used are kept: the last three answer from memory.
    const { hits } = node.cache.stats;
    for (const { key } of made.slice(2)) expect(await node.accepts(key)).toBe(true);
    expect(node.cache.stats.hits).toBe(hits + 3);

    const fresh = replica({ maxEntries: 3, changes: THIS_PROCESS_ONLY });
    for (let i = 0; i < 20; i += 1) {
      const unknown = `pgw_${String(i).padStart(12, 'Q')}_${'s'.repeat(43)}`;
      expect(await fresh.accepts(unknown)).toBe(false);
    }
    expect(fresh.cache.stats.entries).toBe(0);
  });

  it('looks a key up again once its entry is older than the TTL, so that even an unannounced change is seen', async () => {
    let nowMs = 1_000_000;
    // Changes made through another repository are not announced to this one: a lost notification.
    const node = replica({ ttlMs: 30_000, nowMs: () => nowMs, changes: THIS_PROCESS_ONLY });
    const elsewhere = new ApiKeyManager(PostgresApiKeyRepository.over(connect()));
    const { key, description } = await elsewhere.create({ role: 'evaluator' });
    expect(await node.accepts(key)).toBe(true);
    await elsewhere.revoke(description.id);
    nowMs += 30_000;
    expect(await node.accepts(key)).toBe(false);
  });
});

describe('migration 009: changes announced on policy_gateway_api_keys', () => {
  it('announces a new and a revoked key by id, and not a recorded use', async () => {
    const heard: (string | undefined)[] = [];
    const listener = new PostgresApiKeyChangeListener({ connectionString: server.url });
    closers.push(() => listener.close());
    listener.subscribe((id) => heard.push(id));
    await vi.waitFor(() => expect(listener.listening).toBe(true), { timeout: 10_000 });
    heard.length = 0;
    const keys = new ApiKeyManager(PostgresApiKeyRepository.over(connect()));
    const used = await keys.create({ role: 'evaluator' });
    const revoked = await keys.create({ role: 'evaluator' });
    await PostgresApiKeyRepository.over(connect()).touch(used.description.id, new Date());
    await keys.revoke(revoked.description.id);
    // Notifications arrive in commit order: once the revocation is heard, the use would have been.
    await vi.waitFor(() => expect(heard).toHaveLength(3), { timeout: 5_000 });
    expect(heard).toEqual([used.description.id, revoked.description.id, revoked.description.id]);
  });
});
