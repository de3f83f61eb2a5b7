/**
 * Group commit's bound over HTTP (issue 12), on a real PostgreSQL server with the chained
 * write path `serve` opens: while the audit store is held (a lock taken in another session),
 * one batch is in flight and POLICY_GATEWAY_AUDIT_QUEUE_MAX_ENTRIES decisions wait; every
 * decision beyond them is answered at once 503 AUDIT_QUEUE_FULL with Retry-After as
 * problem+json, and nothing of it is recorded. Once the store answers again, the waiting
 * decisions are committed and answered, and the chain has no gap.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAuditSigningKey } from '@policy-gateway/governance-runtime';
import { createTestDatabase, type TestDatabase } from '@policy-gateway/governance-runtime/testing';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { loadSettings } from '../src/config/settings.js';
import { migrateToLatest } from '../src/db/migration-runner.js';
import type { AuditStore } from '../src/store/audit-store.js';
import { openAuditStore } from '../src/store/open-audit-store.js';
import { TEST_APP_SETTINGS } from './support/build-test-app.js';
import { ScriptedPolicyEngine } from './support/scripted-policy-engine.js';

const silent = pino({ level: 'silent' });
const QUEUE_MAX = 3;

let database: TestDatabase;
let admin: pg.Client;
let store: AuditStore;
let app: FastifyInstance;
let keyDir: string;

beforeAll(async () => {
  database = await createTestDatabase();
  const pool = new pg.Pool({ connectionString: database.url, max: 1 });
  await migrateToLatest(new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) }));
  await pool.end();
  admin = new pg.Client({ connectionString: database.url });
  await admin.connect();
  keyDir = mkdtempSync(join(tmpdir(), 'pgw-queue-full-'));
  const settings = loadSettings({
    POLICY_GATEWAY_DATABASE_URL: database.url,
    POLICY_GATEWAY_AUDIT_QUEUE_MAX_ENTRIES: String(QUEUE_MAX),
    POLICY_GATEWAY_DB_TIMEOUT_MS: '20000',
  });
  store = await openAuditStore(settings.store, silent, {
    signingKey: loadAuditSigningKey({ dataDir: keyDir }),
    instance: 'queue-full-test',
    checkpointEveryEntries: 1000,
    checkpointIntervalMs: 0,
  });
  app = await buildApp({ settings: TEST_APP_SETTINGS, store, engine: new ScriptedPolicyEngine() });
});

afterAll(async () => {
  await admin?.query('rollback').catch(() => undefined);
  await app?.close();
  await store?.close();
  await admin?.end();
  await database?.drop();
  rmSync(keyDir, { recursive: true, force: true });
});

function evaluate(user: string): Promise<LightMyRequestResponse> {
  return app.inject({
    method: 'POST',
    url: '/policy/evaluate',
    payload: { prompt: 'summarise the report', user_id: user },
  });
}

async function rowsOf(user: string): Promise<number> {
  const { rows } = await admin.query<{ n: string }>(
    'select count(*) as n from audit_log_entries where user_id = $1',
    [user],
  );
  return Number(rows[0]!.n);
}

describe('POST /policy/evaluate with the audit write queue full', () => {
  it('answers 503 AUDIT_QUEUE_FULL with Retry-After at once, records nothing of it, and commits the waiting decisions once the store answers', async () => {
    await admin.query('begin');
    await admin.query('lock table audit_log_entries in share row exclusive mode');
    const inFlight = evaluate('in-flight');
    // Until its INSERT waits on the lock: one batch in flight, the queue empty.
    await waitFor(async () => {
      const { rows } = await admin.query(
        "select 1 from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'",
      );
      return rows.length > 0;
    });
    const waiting = Array.from({ length: QUEUE_MAX }, () => evaluate('waiting'));
    await waitFor(async () => store.writeQueue?.queuedEntries === QUEUE_MAX);
    const refused = await Promise.all(Array.from({ length: 4 }, () => evaluate('refused')));
    for (const response of refused) {
      expect(response.statusCode).toBe(503);
      expect(response.headers['retry-after']).toBe('1');
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      const problem = response.json();
      expect(problem).toMatchObject({ status: 503, code: 'AUDIT_QUEUE_FULL' });
      expect(problem.detail).toMatch(/POLICY_GATEWAY_AUDIT_QUEUE_MAX_ENTRIES/);
      expect(problem.detail).toMatch(/retry after/);
      expect(problem).not.toHaveProperty('audit_id');
    }
    await admin.query('commit');
    const answered = await Promise.all([inFlight, ...waiting]);
    expect(answered.map((r) => r.statusCode)).toEqual(Array(QUEUE_MAX + 1).fill(200));
    expect(await rowsOf('in-flight')).toBe(1);
    expect(await rowsOf('waiting')).toBe(QUEUE_MAX);
    expect(await rowsOf('refused')).toBe(0);
    const { rows } = await admin.query<{ seq: string }>(
      'select chain_seq as seq from audit_log_entries where chain_id = $1 order by chain_seq',
      [store.tamperEvidence!.chainId],
    );
    expect(rows.map((r) => Number(r.seq))).toEqual([1, 2, 3, 4]);
  });
});

async function waitFor(condition: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('the condition was not met within 10 s');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
