/**
 * Tamper evidence over HTTP on a real PostgreSQL database (issue 11): the gateway verifies its
 * own trail when asked (POST /governance/audit/integrity/verify) and reports it
 * (GET /governance/audit/integrity) — intact with its chain heads, then the altered entry named
 * once a superuser changed it past any trigger; and it serves a proof of one entry that checks
 * offline, refuses one no checkpoint covers yet, and records the proof's read in the access log.
 */
import type { AuditIntegrity } from '@policy-gateway/gateway-contract';
import { checkAuditEntryProof } from '@policy-gateway/governance-runtime';
import {
  type AuditLogDatabase,
  openPostgresAuditLogDatabase,
} from '@policy-gateway/governance-runtime/postgres';
import {
  createTestDatabase,
  newSigningKeyPair,
  SignedChainFixture,
  type TestDatabase,
} from '@policy-gateway/governance-runtime/testing';
import type { FastifyInstance } from 'fastify';
import { type Kysely, sql } from 'kysely';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { loadSettings } from '../src/config/settings.js';
import { openDatabase } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migration-runner.js';
import { openAuditStore } from '../src/store/open-audit-store.js';
import { TEST_APP_SETTINGS } from './support/build-test-app.js';
import { ScriptedPolicyEngine } from './support/scripted-policy-engine.js';

const silent = pino({ level: 'silent' });
let database: TestDatabase;
let db: Kysely<AuditLogDatabase>;
let app: FastifyInstance;
let chain: SignedChainFixture;

beforeAll(async () => {
  database = await createTestDatabase();
  const env = {
    POLICY_GATEWAY_AUDIT_STORE_BACKEND: 'postgres',
    POLICY_GATEWAY_DATABASE_URL: database.url,
  };
  const settings = loadSettings(env);
  if (settings.store.backend === 'memory') throw new Error('a database backend was expected');
  const migrator = await openDatabase(settings.store, { log: silent, forMigrations: true });
  await migrateToLatest(migrator.db);
  await migrator.close();
  db = openPostgresAuditLogDatabase({ connectionString: database.url, maxConnections: 2 });
  chain = new SignedChainFixture(db, newSigningKeyPair());
  await chain.registerKey();
  await chain.append(30);
  await chain.checkpoint();
  await chain.append(5);
  const store = await openAuditStore(settings.store, silent);
  app = await buildApp({ settings: TEST_APP_SETTINGS, store, engine: new ScriptedPolicyEngine() });
});

afterAll(async () => {
  await app?.close();
  await db?.destroy();
  await database?.drop();
});

/** Starts a verification and reads the integrity report until it has finished. */
async function verifyNow(): Promise<AuditIntegrity> {
  const started = await app.inject({ method: 'POST', url: '/governance/audit/integrity/verify' });
  expect(started.statusCode).toBe(202);
  for (;;) {
    const report = (
      await app.inject({ url: '/governance/audit/integrity' })
    ).json<AuditIntegrity>();
    if (!report.running) return report;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('GET /governance/audit/integrity', () => {
  it('has no verification to report before the first one', async () => {
    const response = await app.inject({ url: '/governance/audit/integrity' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ available: true, running: false, last: null });
  });

  it('reports the trail intact with its chain head, and the unsealed tail as a warning', async () => {
    const report = await verifyNow();
    expect(report.last).toMatchObject({
      intact: true,
      entries_checked: 35,
      chains: 1,
      checkpoints: 1,
      failed_entry_ids: [],
      heads: [{ chain_id: chain.chainId, seq: 35, checkpoint_seq: 30, final: false }],
    });
    expect(report.last?.problems.map((p) => p.kind)).toEqual(['unsealed-tail']);
  });

  it('names the altered entry after a superuser changed it past any trigger', async () => {
    const target = chain.entries[11]!;
    await db.connection().execute(async (connection) => {
      await sql`set session_replication_role = replica`.execute(connection);
      await sql`update audit_log_entries set decision = 'deny', user_id = 'someone-else'
                 where id = ${target.id}::uuid`.execute(connection);
      await sql`set session_replication_role = origin`.execute(connection);
    });
    const report = await verifyNow();
    expect(report.last?.intact).toBe(false);
    expect(report.last?.problems[0]).toMatchObject({
      kind: 'altered',
      entry_id: target.id,
      chain_id: chain.chainId,
      seq: 12,
    });
    expect(report.last?.failed_entry_ids).toEqual([target.id]);
  });
});

describe('GET /governance/audit/{id}/proof', () => {
  it('serves a proof that checks offline, and records its read in the access log', async () => {
    const target = chain.entries[20]!;
    const response = await app.inject({ url: `/governance/audit/${target.id}/proof` });
    expect(response.statusCode).toBe(200);
    const proof = response.json();
    expect(proof.links.map((l: { seq: number }) => l.seq)).toEqual(
      Array.from({ length: 10 }, (_, i) => 21 + i),
    );
    expect(checkAuditEntryProof(proof)).toMatchObject({ valid: true });
    expect(response.body).not.toContain('prompt 22');

    const log = (await app.inject({ url: '/governance/access-log' })).json();
    const read = log.records.find(
      (r: { route: string }) => r.route === '/governance/audit/:id/proof',
    );
    expect(read).toMatchObject({ status: 200, entry_ids: [target.id] });
  });

  it('answers 409 PROOF_UNAVAILABLE for an entry no checkpoint covers yet, 404 for none', async () => {
    const unsealed = await app.inject({ url: `/governance/audit/${chain.entries[32]!.id}/proof` });
    expect(unsealed.statusCode).toBe(409);
    expect(unsealed.headers['content-type']).toContain('application/problem+json');
    expect(unsealed.json()).toMatchObject({ code: 'PROOF_UNAVAILABLE' });
    const missing = await app.inject({
      url: '/governance/audit/01900000-0000-7000-8000-000000000000/proof',
    });
    expect(missing.statusCode).toBe(404);
  });
});
