/**
 * API keys as their users rely on them, on every place keys are kept (a PostgreSQL server,
 * the embedded PGlite database, memory): a new key authenticates with its role; only its
 * hash is stored; a wrong secret, an unknown id, a revoked or an expired key is refused; and
 * a revocation made through one gateway replica holds on the next request to another.
 */
import {
  createTestDatabase,
  openTestPglite,
  type TestDatabase,
  type TestPglite,
} from '@policy-gateway/governance-runtime/testing';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKeyAuthenticator } from '../src/auth/api-key-authenticator.js';
import { THIS_PROCESS_ONLY } from '../src/auth/api-key-changes.js';
import { parseApiKeyExpiry } from '../src/auth/api-key-expiry.js';
import { ApiKeyManager } from '../src/auth/api-key-manager.js';
import type { ApiKeyRepository } from '../src/auth/api-key-repository.js';
import { CachedApiKeyRepository } from '../src/auth/cached-api-key-repository.js';
import { createAuthenticators } from '../src/auth/create-authenticators.js';
import { MemoryApiKeyRepository } from '../src/auth/memory/memory-api-key-repository.js';
import { PostgresApiKeyChangeListener } from '../src/auth/postgres/postgres-api-key-change-listener.js';
import { PostgresApiKeyRepository } from '../src/auth/postgres/postgres-api-key-repository.js';
import { migrateToLatest } from '../src/db/migration-runner.js';

const NO_OIDC = {
  issuer: undefined,
  audience: undefined,
  jwksUrl: undefined,
  jwksCacheSeconds: 600,
  rolesClaim: 'roles',
  roleMap: undefined,
  clockSkewSeconds: 30,
  workbenchClientId: undefined,
} as const;

let server: TestDatabase;
let pglite: TestPglite;
const pools: Kysely<unknown>[] = [];
const caches: CachedApiKeyRepository[] = [];

/** As the gateway reads keys: through a cache of records (`createAuthenticators`). */
function cached(
  repository: ApiKeyRepository,
  changes: ConstructorParameters<typeof CachedApiKeyRepository>[1],
): CachedApiKeyRepository {
  const cache = new CachedApiKeyRepository(repository, changes, {
    ttlMs: 30_000,
    maxEntries: 100,
  });
  caches.push(cache);
  return cache;
}

function connect(url: string): Kysely<unknown> {
  const db = new Kysely<unknown>({
    dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 2 }) }),
  });
  pools.push(db);
  return db;
}

beforeAll(async () => {
  [server, pglite] = await Promise.all([createTestDatabase(), openTestPglite()]);
  const outcome = await migrateToLatest(connect(server.url));
  if (outcome.error !== undefined) throw outcome.error;
});

afterAll(async () => {
  await Promise.all(caches.map((cache) => cache.close()));
  await Promise.all(pools.map((db) => db.destroy()));
  await Promise.all([server?.drop(), pglite?.remove()]);
});

interface Backend {
  readonly name: string;
  repository(): ApiKeyRepository;
  /** The stored row's text, where there is a table to read. */
  storedRow?(id: string): Promise<string>;
}

const BACKENDS: readonly Backend[] = [
  {
    name: 'PostgreSQL server',
    repository: () => PostgresApiKeyRepository.over(connect(server.url)),
    storedRow: async (id) => {
      const { rows } = await sql`select * from api_keys where id = ${id}`.execute(
        connect(server.url),
      );
      return JSON.stringify(rows);
    },
  },
  {
    name: 'embedded PGlite',
    repository: () => PostgresApiKeyRepository.over(pglite.db),
    storedRow: async (id) => {
      const { rows } = await sql`select * from api_keys where id = ${id}`.execute(pglite.db);
      return JSON.stringify(rows);
    },
  },
  { name: 'memory', repository: () => new MemoryApiKeyRepository() },
  {
    name: 'PostgreSQL server, read through a cache that listens for changes',
    repository: () =>
      cached(
        PostgresApiKeyRepository.over(connect(server.url)),
        new PostgresApiKeyChangeListener({ connectionString: server.url }),
      ),
  },
  {
    name: 'embedded PGlite, read through a cache (this process the only writer)',
    repository: () => cached(PostgresApiKeyRepository.over(pglite.db), THIS_PROCESS_ONLY),
  },
];

describe.each(BACKENDS)('API keys kept in $name', (backend) => {
  // Backends over one database list one another's keys: each starts a year after the one
  // before, so that its own keys are the newest.
  let clock = new Date(Date.UTC(2026 + BACKENDS.indexOf(backend), 11, 1, 10));
  const now = () => clock;
  let keys: ApiKeyManager;
  let authenticator: ApiKeyAuthenticator;
  let repository: ApiKeyRepository;

  beforeAll(() => {
    repository = backend.repository();
    keys = new ApiKeyManager(repository, { now });
    authenticator = new ApiKeyAuthenticator(repository, { now });
  });

  it('authenticates a new key with its role, as key:<id>', async () => {
    const { key, description } = await keys.create({ role: 'evaluator', name: 'batch job' });
    expect(key).toMatch(/^pgw_[0-9A-Za-z]{12}_[0-9A-Za-z]{43}$/);
    expect(authenticator.accepts(key)).toBe(true);
    const { principal } = await authenticator.authenticate(key);
    expect(principal).toEqual({
      kind: 'api_key',
      id: `key:${description.id}`,
      name: 'batch job',
      subject: null,
      roles: ['evaluator'],
    });
  });

  it('stores only a hash of the key, and never shows it again', async () => {
    const { key, description } = await keys.create({ role: 'auditor' });
    const secret = key.split('_')[2] ?? '';
    expect(JSON.stringify(await keys.list(100))).not.toContain(secret);
    expect(JSON.stringify(description)).not.toContain(secret);
    expect(description).not.toHaveProperty('secretHash');
    if (backend.storedRow !== undefined) {
      const row = await backend.storedRow(description.id);
      expect(row).toContain(description.id);
      expect(row).not.toContain(secret);
    }
  });

  it('refuses a wrong secret for a known id, an unknown id and a malformed key alike', async () => {
    const { key, description } = await keys.create({ role: 'admin' });
    const wrongSecret = `pgw_${description.id}_${'x'.repeat(43)}`;
    const unknownId = `pgw_${'Z'.repeat(12)}_${key.slice(-43)}`;
    for (const token of [wrongSecret, unknownId, `${key}x`, 'pgw_short']) {
      expect((await authenticator.authenticate(token)).principal, token).toBeUndefined();
    }
  });

  it('refuses a revoked key on its next use; a second revoke keeps the first time', async () => {
    const { key, description } = await keys.create({ role: 'evaluator' });
    expect((await authenticator.authenticate(key)).principal).toBeDefined();
    const revoked = await keys.revoke(description.id);
    expect(revoked?.revokedAt).toEqual(clock);
    const refusal = await authenticator.authenticate(key);
    expect(refusal.principal).toBeUndefined();
    expect(refusal.refusal).toContain('revoked');
    clock = new Date(clock.getTime() + 60_000);
    expect((await keys.revoke(description.id))?.revokedAt).toEqual(revoked?.revokedAt);
    expect(await keys.revoke('NoSuchKey123')).toBeUndefined();
  });

  it('accepts a key until it expires and refuses it from then on', async () => {
    const expiresAt = new Date(clock.getTime() + 90 * 86_400_000);
    const { key } = await keys.create({ role: 'auditor', expiresAt });
    clock = new Date(expiresAt.getTime() - 1);
    expect((await authenticator.authenticate(key)).principal?.roles).toEqual(['auditor']);
    clock = expiresAt;
    const refusal = await authenticator.authenticate(key);
    expect(refusal.principal).toBeUndefined();
    expect(refusal.refusal).toContain('expired');
  });

  it('lists keys newest first, with when each was last used', async () => {
    const first = await keys.create({ role: 'evaluator', name: 'first' });
    clock = new Date(clock.getTime() + 1000);
    const second = await keys.create({ role: 'evaluator', name: 'second' });
    await authenticator.authenticate(first.key);
    // The use is recorded off the request's path.
    await new Promise((resolve) => setImmediate(resolve));
    await repository.touch(first.description.id, clock);
    const listed = await keys.list(2);
    expect(listed.map((key) => key.id)).toEqual([second.description.id, first.description.id]);
    expect(listed[1]?.lastUsedAt).toEqual(clock);
  });
});

describe('two gateway replicas sharing one PostgreSQL database', () => {
  it('refuse a key on the next request once either replica revoked it', async () => {
    // Each replica has its own connection pool, as two processes would.
    const replicaA = PostgresApiKeyRepository.over(connect(server.url));
    const replicaB = PostgresApiKeyRepository.over(connect(server.url));
    const adminOnA = new ApiKeyManager(replicaA);
    const authA = new ApiKeyAuthenticator(replicaA);
    const authB = new ApiKeyAuthenticator(replicaB);
    const { key, description } = await adminOnA.create({ role: 'evaluator' });
    expect((await authA.authenticate(key)).principal).toBeDefined();
    expect((await authB.authenticate(key)).principal).toBeDefined();
    await adminOnA.revoke(description.id);
    expect((await authB.authenticate(key)).principal).toBeUndefined();
    expect((await authA.authenticate(key)).principal).toBeUndefined();
  });
});

describe('start-up with authentication on', () => {
  it('warns, saying how to make one, while no API key exists and no OIDC issuer is set', async () => {
    const empty = await createTestDatabase();
    const db = new Kysely<unknown>({
      dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: empty.url, max: 2 }) }),
    });
    try {
      const outcome = await migrateToLatest(db);
      if (outcome.error !== undefined) throw outcome.error;
      const start = () =>
        createAuthenticators({
          oidc: NO_OIDC,
          apiKeys: PostgresApiKeyRepository.over(db),
          required: true,
          log: pino({ level: 'silent' }),
        });
      const before = await start();
      await before.close();
      expect(before.warnings.join('\n')).toContain('policy-gateway keys create --role admin');
      await before.apiKeys.create({ role: 'admin' });
      const after = await start();
      await after.close();
      expect(after.warnings).toEqual([]);
    } finally {
      await db.destroy();
      await empty.drop();
    }
  });
});

describe('key expiry as --expires and POST /admin/keys take it', () => {
  const now = new Date('2026-12-01T10:00:00Z');
  it.each([
    { text: '90d', expected: '2027-03-01T10:00:00.000Z', note: 'days' },
    { text: '12h', expected: '2026-12-01T22:00:00.000Z', note: 'hours' },
    { text: '30m', expected: '2026-12-01T10:30:00.000Z', note: 'minutes' },
    { text: '2027-06-30', expected: '2027-06-30T00:00:00.000Z', note: 'a date is its start, UTC' },
    { text: '2027-06-30T12:00:00+02:00', expected: '2027-06-30T10:00:00.000Z', note: 'offset' },
  ])('reads $text ($note)', ({ text, expected }) => {
    expect(parseApiKeyExpiry(text, now)).toEqual(new Date(expected));
  });

  it.each([
    { text: '90', note: 'no unit' },
    { text: '1y', note: 'unknown unit' },
    { text: '2026-11-30', note: 'in the past' },
    { text: '0d', note: 'now' },
    { text: '4000d', note: 'more than ten years' },
    { text: '2027-02-30', note: 'no such date' },
    { text: 'tomorrow', note: 'words' },
  ])('refuses $text ($note) with one line', ({ text }) => {
    const result = parseApiKeyExpiry(text, now);
    expect(result).toHaveProperty('error');
    expect((result as { error: string }).error).not.toContain('\n');
  });
});
