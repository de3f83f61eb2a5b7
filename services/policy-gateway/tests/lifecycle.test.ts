import { createTestDatabase, type TestDatabase } from '@policy-gateway/governance-runtime/testing';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { loadSettings } from '../src/config/settings.js';
import { migrateToLatest } from '../src/db/migration-runner.js';
import { startGateway } from '../src/main.js';
import type { PolicyEvaluation, PolicyInput } from '../src/policy/policy-engine.js';
import type { AuditStore } from '../src/store/audit-store.js';
import { createMemoryStore } from '../src/store/memory-store.js';
import { openAuditStore, SchemaBehindError } from '../src/store/open-audit-store.js';
import { TEST_APP_SETTINGS } from './support/build-test-app.js';
import { ScriptedPolicyEngine } from './support/scripted-policy-engine.js';
import { TcpProxy } from './support/tcp-proxy.js';

const silent = pino({ level: 'silent' });
const databases: TestDatabase[] = [];

async function database(options: { migrated: boolean }): Promise<string> {
  const created = await createTestDatabase();
  databases.push(created);
  if (options.migrated) {
    const db = new Kysely<unknown>({
      dialect: new PostgresDialect({
        pool: new pg.Pool({ connectionString: created.url, max: 1 }),
      }),
    });
    await migrateToLatest(db);
    await db.destroy();
  }
  return created.url;
}

async function tableNames(url: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ tablename: string }>(
      "select tablename from pg_tables where schemaname = 'public'",
    );
    return rows.map((row) => row.tablename);
  } finally {
    await client.end();
  }
}

async function entryCount(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ count: string }>(
      'select count(*)::text as count from audit_log_entries',
    );
    return Number(rows[0]?.count);
  } finally {
    await client.end();
  }
}

afterAll(async () => {
  await Promise.all(databases.map((created) => created.drop()));
});

/** An engine whose evaluations wait until the test lets them finish. */
class GatedPolicyEngine extends ScriptedPolicyEngine {
  #release: () => void = () => {};
  readonly #gate = new Promise<void>((resolve) => {
    this.#release = resolve;
  });
  readonly started: Promise<void>;
  #started: () => void = () => {};

  constructor() {
    super();
    this.started = new Promise((resolve) => {
      this.#started = resolve;
    });
  }

  release(): void {
    this.#release();
  }

  override async evaluate(input: PolicyInput): Promise<PolicyEvaluation> {
    this.#started();
    await this.#gate;
    return super.evaluate(input);
  }
}

describe('graceful shutdown', () => {
  it('stops accepting, finishes the request in flight with its audit write, then closes the store', async () => {
    const events: string[] = [];
    const memory = createMemoryStore(10);
    const store: AuditStore = {
      ...memory,
      repository: {
        durable: false,
        append: async (entry) => {
          await memory.repository.append(entry);
          events.push('append');
        },
        appendMany: (entries) => memory.repository.appendMany(entries),
        findById: (id) => memory.repository.findById(id),
        findByIdempotencyKey: (userId, key) => memory.repository.findByIdempotencyKey(userId, key),
        query: (query) => memory.repository.query(query),
        close: async () => {},
      },
      close: async () => {
        events.push('store closed');
      },
    };
    const engine = new GatedPolicyEngine();
    const app = await buildApp({ settings: TEST_APP_SETTINGS, store, engine });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as { port: number };
    const base = `http://127.0.0.1:${port}`;

    const inFlight = fetch(`${base}/policy/evaluate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'hello', user_id: 'u' }),
    });
    await engine.started;
    const closed = app.close().then(() => events.push('app closed'));
    while (app.server.listening) await new Promise((resolve) => setTimeout(resolve, 5));
    await expect(fetch(`${base}/health`)).rejects.toThrow();

    engine.release();
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(((await response.json()) as { decision: string }).decision).toBe('allow');
    await closed;
    expect(events).toEqual(['append', 'store closed', 'app closed']);
    expect(engine.closed).toBe(true);
  });
});

describe('start-up', () => {
  it('refuses to serve a database whose schema is behind, telling the operator to migrate, and changes nothing', async () => {
    const url = await database({ migrated: false });
    const settings = loadSettings({
      POLICY_GATEWAY_DATABASE_URL: url,
      POLICY_GATEWAY_OPA_URL: 'http://127.0.0.1:9',
    });
    const failure = await startGateway(settings, silent).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(SchemaBehindError);
    expect((failure as Error).message).toContain('run `policy-gateway migrate`');
    expect(await tableNames(url)).toEqual([]);
  });

  it('serves a database migrated by a newer build (schema ahead), and reports it in /ready', async () => {
    const url = await database({ migrated: true });
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(
      "insert into kysely_migration (name, timestamp) values ('002_added_by_a_newer_build', '2030-01-01T00:00:00.000Z')",
    );
    await client.end();
    const settings = loadSettings({
      POLICY_GATEWAY_DATABASE_URL: url,
      POLICY_GATEWAY_OPA_URL: 'http://127.0.0.1:9',
      POLICY_GATEWAY_HOST: '127.0.0.1',
      POLICY_GATEWAY_PORT: '0',
    });
    const gateway = await startGateway(settings, silent);
    try {
      const ready = await fetch(`${gateway.url}/ready`);
      expect(ready.status).toBe(200);
      expect(((await ready.json()) as { store: unknown }).store).toMatchObject({
        backend: 'postgres',
        schema: 'ahead',
      });
    } finally {
      await gateway.stop();
    }
  });

  it('waits for a database that is not up yet instead of crashing', async () => {
    const url = new URL(await database({ migrated: true }));
    const proxy = new TcpProxy(url.hostname, Number(url.port || 5432));
    await proxy.up();
    await proxy.down(); // The port is known but nothing listens: the database is "starting".
    url.host = `127.0.0.1:${proxy.port}`;
    const settings = loadSettings({
      POLICY_GATEWAY_DATABASE_URL: url.toString(),
      POLICY_GATEWAY_DB_CONNECT_BACKOFF_MS: '50',
    });
    const retries: string[] = [];
    const log = { ...silent, warn: (..._args: unknown[]) => void retries.push('retry') };
    const opening = openAuditStore(settings.store, log as unknown as typeof silent);
    while (retries.length < 2) await new Promise((resolve) => setTimeout(resolve, 10));
    await proxy.up();
    const store = await opening;
    expect((await store.check()).reachable).toBe(true);
    await store.close();
    await proxy.down();
  });
});

describe('a database that goes away and comes back', () => {
  it('fails closed while it is away and recovers without a restart', async () => {
    const directUrl = await database({ migrated: true });
    const url = new URL(directUrl);
    const proxy = new TcpProxy(url.hostname, Number(url.port || 5432));
    await proxy.up();
    url.host = `127.0.0.1:${proxy.port}`;
    const settings = loadSettings({
      POLICY_GATEWAY_DATABASE_URL: url.toString(),
      POLICY_GATEWAY_DB_TIMEOUT_MS: '1000',
    });
    const store = await openAuditStore(settings.store, silent);
    const app = await buildApp({
      settings: TEST_APP_SETTINGS,
      store,
      engine: new ScriptedPolicyEngine(),
    });
    const evaluate = () =>
      app.inject({
        method: 'POST',
        url: '/policy/evaluate',
        payload: { prompt: 'p', user_id: 'u' },
      });
    try {
      expect((await evaluate()).statusCode).toBe(200);
      expect((await app.inject({ url: '/ready' })).statusCode).toBe(200);

      await proxy.down();
      // /ready first: its probe meets the pooled connection the cut broke, so that the
      // evaluation after it finds the server refusing new ones, and its INSERT is surely not
      // committed. (An INSERT sent on the broken connection itself is in doubt: see
      // tests/commit-outcome.test.ts.)
      const notReady = await app.inject({ url: '/ready' });
      expect(notReady.statusCode).toBe(503);
      expect(notReady.json()).toMatchObject({
        status: 'not_ready',
        store: { reachable: false, schema: 'unknown' },
      });
      const refused = await evaluate();
      expect(refused.statusCode).toBe(503);
      expect(refused.json().code).toBe('AUDIT_STORE_UNAVAILABLE');

      await proxy.up();
      expect((await evaluate()).statusCode).toBe(200);
      expect((await app.inject({ url: '/ready' })).json().status).toBe('ready');
      expect(await entryCount(directUrl)).toBe(2);
    } finally {
      await app.close();
      await proxy.down();
    }
  });
});
