/**
 * Issue 9, defect 3, on a real PostgreSQL server: an INSERT whose answer the gateway never
 * got, though the server committed it, must not be answered 503 "no decision" (a retry would
 * record the request twice). The INSERT is held on a lock taken in another session
 * (`LOCK TABLE audit_log_entries`) while the gateway's connection to the server is cut, then
 * released: the server commits an entry the gateway can only find out about by reading it back.
 */
import { createTestDatabase, type TestDatabase } from '@policy-gateway/governance-runtime/testing';
import type { FastifyInstance } from 'fastify';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { loadSettings } from '../src/config/settings.js';
import { migrateToLatest } from '../src/db/migration-runner.js';
import type { AuditStore } from '../src/store/audit-store.js';
import { openAuditStore } from '../src/store/open-audit-store.js';
import { TEST_APP_SETTINGS } from './support/build-test-app.js';
import { ScriptedPolicyEngine } from './support/scripted-policy-engine.js';
import { TcpProxy } from './support/tcp-proxy.js';

const silent = pino({ level: 'silent' });
/** The server gives up on a statement after 2 s, the client 1 s later: settled at 3 s. */
const DB_TIMEOUT_MS = 2000;

let database: TestDatabase;
let admin: pg.Client;
let proxy: TcpProxy;
let store: AuditStore;
let app: FastifyInstance;

// A fresh database per test: the audit table is append-only (migration 008), never emptied.
beforeEach(async () => {
  database = await createTestDatabase();
  const pool = new pg.Pool({ connectionString: database.url, max: 1 });
  await migrateToLatest(new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) }));
  await pool.end();
  admin = new pg.Client({ connectionString: database.url });
  await admin.connect();
});
beforeEach(async () => {
  const url = new URL(database.url);
  proxy = new TcpProxy(url.hostname, Number(url.port || 5432));
  await proxy.up();
  url.host = `127.0.0.1:${proxy.port}`;
  const settings = loadSettings({
    POLICY_GATEWAY_DATABASE_URL: url.toString(),
    POLICY_GATEWAY_DB_TIMEOUT_MS: String(DB_TIMEOUT_MS),
  });
  store = await openAuditStore(settings.store, silent);
  app = await buildApp({ settings: TEST_APP_SETTINGS, store, engine: new ScriptedPolicyEngine() });
});
afterEach(async () => {
  await admin.query('rollback').catch(() => undefined);
  await app.close();
  await proxy.down();
  await admin?.end();
  await database?.drop();
});

/** Starts the request at once (an inject chain left unawaited would not be sent). */
async function evaluate(key: string) {
  return await app.inject({
    method: 'POST',
    url: '/policy/evaluate',
    headers: { 'idempotency-key': key },
    payload: { prompt: 'my SECRET key', user_id: 'carol' },
  });
}

/** Holds every INSERT into the audit table until `release`. */
async function lockAuditTable(): Promise<void> {
  await admin.query('begin');
  await admin.query('lock table audit_log_entries in share row exclusive mode');
}

async function release(): Promise<void> {
  await admin.query('commit');
}

/** Resolves once the gateway's INSERT waits on the lock on the server. */
async function insertWaitingOnLock(): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    // The lock's transaction would otherwise see its first snapshot of the activity forever.
    await admin.query('select pg_stat_clear_snapshot()');
    const { rows } = await admin.query(
      `select 1 from pg_stat_activity
        where datname = current_database() and wait_event_type = 'Lock'
          and query ilike 'insert into "audit_log_entries"%'`,
    );
    if (rows.length > 0) return;
    await sleep(25);
  }
  throw new Error('the INSERT never waited on the lock');
}

async function storedIds(): Promise<string[]> {
  const { rows } = await admin.query<{ id: string }>('select id from audit_log_entries');
  return rows.map((row) => row.id);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe('an INSERT whose answer is lost', () => {
  it('answers the decision the server committed, not 503, and a retry with the key records nothing new', async () => {
    await lockAuditTable();
    const answer = evaluate('lost-answer');
    await insertWaitingOnLock();
    await proxy.down(); // the gateway's connection breaks with its INSERT on the server
    await proxy.up();
    await release(); // the server finishes the INSERT and commits it

    const response = await answer;
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({ decision: 'deny', allow: false });
    expect(await storedIds()).toEqual([body.audit_id]);

    const retry = await evaluate('lost-answer');
    expect(retry.statusCode).toBe(200);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.json()).toStrictEqual(body);
    expect(await storedIds()).toEqual([body.audit_id]);
  });

  it('answers the decision the server committed while the event loop was held up past the client timeout', async () => {
    await lockAuditTable();
    const answer = evaluate('held-up');
    await insertWaitingOnLock();
    await release(); // the server commits; its answer waits in the socket
    // The case: the process is busy past the client's query timeout, so the timeout
    // fires before the answer is read, and the client is told the INSERT failed.
    const until = performance.now() + DB_TIMEOUT_MS + 1000 + 200;
    while (performance.now() < until) {
      // busy
    }
    const response = await answer;
    expect(response.statusCode).toBe(200);
    expect(await storedIds()).toEqual([response.json().audit_id]);
  });

  it('answers 503 AUDIT_STORE_UNAVAILABLE once the server surely gave up on the INSERT', async () => {
    await lockAuditTable();
    const began = performance.now();
    const answer = evaluate('gave-up');
    await insertWaitingOnLock();
    await proxy.down();
    await proxy.up();
    // Held past the server's statement timeout: the server cancels the INSERT.
    const response = await answer;
    await release();
    expect(response.statusCode).toBe(503);
    expect(response.json().code).toBe('AUDIT_STORE_UNAVAILABLE');
    // Not before the server could have committed it (statement timeout + client margin).
    expect(performance.now() - began).toBeGreaterThanOrEqual(DB_TIMEOUT_MS + 1000 - 50);
    expect(await storedIds()).toEqual([]);
    const retry = await evaluate('gave-up');
    expect(retry.statusCode).toBe(200);
    expect(await storedIds()).toEqual([retry.json().audit_id]);
  });

  it('answers 503 AUDIT_COMMIT_UNKNOWN when it cannot find out in time, and the retry with the key answers the committed decision', async () => {
    await lockAuditTable();
    const answer = evaluate('unknown');
    await insertWaitingOnLock();
    await proxy.down(); // and stays down: the gateway cannot read the entry back
    await release(); // the server commits the INSERT the gateway cannot see
    const response = await answer;
    expect(response.statusCode).toBe(503);
    const problem = response.json();
    expect(problem).toMatchObject({ code: 'AUDIT_COMMIT_UNKNOWN' });
    expect(problem.detail).toContain('Idempotency-Key');
    expect(problem).not.toHaveProperty('decision');
    expect(await storedIds()).toEqual([problem.audit_id]);

    await proxy.up();
    const retry = await evaluate('unknown');
    expect(retry.statusCode).toBe(200);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.json().audit_id).toBe(problem.audit_id);
    expect(await storedIds()).toEqual([problem.audit_id]);
  });
});
