/**
 * Audited reads on real databases (issue 10): a read is recorded in the same database as the
 * trail and the record survives a restart of the gateway (a PostgreSQL server, and the embedded
 * PGlite database); and when the database will not take the record — it refuses the row, it
 * holds the table past the statement timeout, or it has become read-only (a failover to a
 * standby) — the read is refused with 503 ACCESS_LOG_UNAVAILABLE and no entry is sent, though
 * the trail itself could be read. Real failures of real databases, no doubles.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '@policy-gateway/governance-runtime/testing';
import type { FastifyInstance } from 'fastify';
import { type Kysely, sql } from 'kysely';
import pg from 'pg';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { loadSettings } from '../src/config/settings.js';
import { type DatabaseSettings, openDatabase } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migration-runner.js';
import type { AuditStore } from '../src/store/audit-store.js';
import { openAuditStore } from '../src/store/open-audit-store.js';
import { auditEntry } from './support/audit-entry-fixture.js';
import { TEST_APP_SETTINGS } from './support/build-test-app.js';
import { evaluate, type GatewayProcess, runCli, startGateway } from './support/gateway-process.js';
import { ScriptedPolicyEngine } from './support/scripted-policy-engine.js';

const silent = pino({ level: 'silent' });
/** Statement timeout of the gateway's queries: the bound on how long a stalled record waits. */
const DB_TIMEOUT_MS = 1000;

interface Gateway {
  readonly app: FastifyInstance;
  readonly store: AuditStore;
}

async function openGateway(env: Record<string, string>): Promise<Gateway> {
  const settings = loadSettings({ ...env, POLICY_GATEWAY_DB_TIMEOUT_MS: String(DB_TIMEOUT_MS) });
  const store = await openAuditStore(settings.store, silent);
  const app = await buildApp({
    settings: TEST_APP_SETTINGS,
    store,
    engine: new ScriptedPolicyEngine(),
  });
  return { app, store };
}

function databaseSettings(env: Record<string, string>): DatabaseSettings {
  const { store } = loadSettings(env);
  if (store.backend === 'memory') throw new Error('a database backend was expected');
  return store;
}

async function get(gateway: Gateway, url: string) {
  const response = await gateway.app.inject({ url, headers: { 'user-agent': 'durability-test' } });
  return {
    status: response.statusCode,
    requestId: response.headers['x-request-id'],
    body: response.json(),
    text: response.body,
  };
}

/** A read that must be refused: 503 ACCESS_LOG_UNAVAILABLE, and nothing of `entryIds` in it. */
function expectRefused(answer: Awaited<ReturnType<typeof get>>, entryIds: readonly string[]) {
  expect(answer.status).toBe(503);
  expect(answer.body.code).toBe('ACCESS_LOG_UNAVAILABLE');
  expect(answer.body.entries).toBeUndefined();
  for (const id of entryIds) expect(answer.text).not.toContain(id);
}

describe('on a PostgreSQL server', () => {
  let database: TestDatabase;
  let admin: pg.Client;
  let gateway: Gateway | undefined;
  const entries = [auditEntry(0), auditEntry(1), auditEntry(2)];
  const ids = entries.map((entry) => entry.id);
  const env = () => ({ POLICY_GATEWAY_DATABASE_URL: database.url });

  beforeAll(async () => {
    database = await createTestDatabase();
    const migrating = await openDatabase(databaseSettings(env()), {
      log: silent,
      forMigrations: true,
    });
    await migrateToLatest(migrating.db);
    await migrating.close();
    admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    const store = await openAuditStore(loadSettings(env()).store, silent);
    for (const entry of entries) await store.repository.append(entry);
    await store.close();
  });
  afterEach(async () => {
    await admin.query('rollback').catch(() => undefined);
    await admin.query('alter table access_log_records drop constraint if exists refuse_all');
    await gateway?.app.close();
    gateway = undefined;
  });
  afterAll(async () => {
    await admin?.end();
    await database?.drop();
  });

  async function recordedRequestIds(): Promise<string[]> {
    const { rows } = await admin.query<{ request_id: string }>(
      'select request_id from access_log_records order by occurred_at, id',
    );
    return rows.map((row) => row.request_id);
  }

  it('keeps the record of a read across a restart of the gateway', async () => {
    gateway = await openGateway(env());
    const read = await get(gateway, '/governance/audit?limit=2');
    expect(read.status).toBe(200);
    await gateway.app.close();

    gateway = await openGateway(env());
    const log = await get(gateway, `/governance/access-log?route=/governance/audit`);
    const record = log.body.records.find(
      (r: { request_id: string }) => r.request_id === read.requestId,
    );
    expect(record).toMatchObject({
      principal_id: 'anonymous',
      parameters: { limit: 2 },
      status: 200,
      entry_count: 2,
      entry_ids: [ids[2], ids[1]],
      user_agent: 'durability-test',
    });
  });

  it('refuses the read, and sends no entry, when the database refuses the record', async () => {
    gateway = await openGateway(env());
    await admin.query(
      'alter table access_log_records add constraint refuse_all check (false) not valid',
    );
    const before = await recordedRequestIds();
    expectRefused(await get(gateway, '/governance/audit'), ids);
    expectRefused(await get(gateway, `/governance/audit/${ids[0]}`), ids);
    expect(await recordedRequestIds()).toEqual(before);
    // The trail itself was readable: only the record failed.
    expect((await gateway.store.repository.query({ limit: 10 })).entries).toHaveLength(3);

    await admin.query('alter table access_log_records drop constraint refuse_all');
    expect((await get(gateway, '/governance/audit')).status).toBe(200);
  });

  it('refuses the read within the statement timeout when the access log is held by another session', async () => {
    gateway = await openGateway(env());
    await admin.query('begin');
    await admin.query('lock table access_log_records in exclusive mode');
    const answer = await get(gateway, '/governance/audit');
    await admin.query('commit');
    expectRefused(answer, ids);
    expect(await recordedRequestIds()).not.toContain(answer.requestId);
  });

  it('refuses every read after a restart on a read-only database (a standby), though it can read the trail', async () => {
    await admin.query(
      `alter database "${new URL(database.url).pathname.slice(1)}" set default_transaction_read_only = on`,
    );
    try {
      gateway = await openGateway(env());
      expect((await gateway.store.repository.query({ limit: 10 })).entries).toHaveLength(3);
      expectRefused(await get(gateway, '/governance/audit'), ids);
      expectRefused(await get(gateway, '/governance/access-log'), ids);
    } finally {
      await admin.query(
        `alter database "${new URL(database.url).pathname.slice(1)}" reset default_transaction_read_only`,
      );
    }
  });
});

describe('the policy-gateway process on a PostgreSQL server', () => {
  it('keeps the record of a read committed before a SIGKILL', async () => {
    const database = await createTestDatabase();
    const env = { POLICY_GATEWAY_DATABASE_URL: database.url };
    const started: GatewayProcess[] = [];
    try {
      expect((await runCli(['migrate'], env)).code).toBe(0);
      const first = await startGateway(env);
      started.push(first);
      expect((await evaluate(first.url, { prompt: 'hi', user_id: 'alice' })).status).toBe(200);
      const read = await fetch(`${first.url}/governance/audit?limit=5`);
      expect(read.status).toBe(200);
      const requestId = read.headers.get('x-request-id');
      const [entry] = ((await read.json()) as { entries: { id: string }[] }).entries;
      expect(await first.kill('SIGKILL')).toBe('SIGKILL');

      const second = await startGateway(env);
      started.push(second);
      const log = await fetch(`${second.url}/governance/access-log?route=/governance/audit`);
      const { records } = (await log.json()) as { records: Record<string, unknown>[] };
      expect(records).toMatchObject([
        {
          request_id: requestId,
          principal_id: 'anonymous',
          parameters: { limit: 5 },
          status: 200,
          entry_ids: [entry?.id],
        },
      ]);
    } finally {
      for (const gateway of started) {
        if (gateway.child.exitCode === null && gateway.child.signalCode === null) {
          await gateway.kill('SIGKILL');
        }
      }
      await database.drop();
    }
  }, 120_000);
});

describe('on the embedded database (PGlite)', () => {
  let dir: string;
  let gateway: Gateway | undefined;
  const entry = auditEntry(0);
  const env = () => ({
    POLICY_GATEWAY_AUDIT_STORE_BACKEND: 'embedded',
    POLICY_GATEWAY_DATA_DIR: dir,
  });

  /** Runs statements on the data directory while no gateway holds it (one process at a time). */
  async function withDatabase(work: (db: Kysely<unknown>) => Promise<void>): Promise<void> {
    const database = await openDatabase(databaseSettings(env()), {
      log: silent,
      forMigrations: true,
    });
    try {
      await work(database.db as unknown as Kysely<unknown>);
    } finally {
      await database.close();
    }
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pgw-access-log-'));
    await withDatabase(async (db) => {
      await migrateToLatest(db);
    });
  });
  afterEach(async () => {
    await gateway?.app.close();
    gateway = undefined;
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the record of a read across a restart, and refuses reads once the database will not take records', async () => {
    gateway = await openGateway(env());
    await gateway.store.repository.append(entry);
    const read = await get(gateway, `/governance/audit/${entry.id}`);
    expect(read.status).toBe(200);
    await gateway.app.close();

    gateway = await openGateway(env());
    const log = await get(gateway, `/governance/access-log?entry_id=${entry.id}`);
    expect(log.body.records).toMatchObject([
      {
        request_id: read.requestId,
        route: '/governance/audit/:id',
        status: 200,
        entry_ids: [entry.id],
      },
    ]);
    await gateway.app.close();
    gateway = undefined;

    await withDatabase(async (db) => {
      await sql`alter table access_log_records add constraint refuse_all check (false) not valid`.execute(
        db,
      );
    });
    gateway = await openGateway(env());
    expect((await gateway.store.repository.query({ limit: 10 })).entries).toHaveLength(1);
    expectRefused(await get(gateway, `/governance/audit/${entry.id}`), [entry.id]);
    expectRefused(await get(gateway, '/governance/audit'), [entry.id]);
  });
});
