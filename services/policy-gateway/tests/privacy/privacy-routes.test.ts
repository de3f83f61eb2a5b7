// Reading originals and erasing subjects over HTTP, on PostgreSQL with authentication on and
// real API keys: a privacy officer reads a masked entry's original giving a reason, which the
// access log records with the entry; an admin erases the subject (recorded, and a second
// erasure says so); the original is then gone (410) while the masked entry is still served.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AuditEntry } from '@policy-gateway/gateway-contract';
import { createTestDatabase, type TestDatabase } from '@policy-gateway/governance-runtime/testing';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { type Authenticators, createAuthenticators } from '../../src/auth/create-authenticators.js';
import type { Role } from '../../src/auth/principal.js';
import { loadSettings } from '../../src/config/settings.js';
import { openDatabase } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migration-runner.js';
import { EmbeddedPolicyEngine } from '../../src/policy/embedded-policy-engine.js';
import { withAuditPrivacy } from '../../src/privacy/audit-privacy.js';
import type { AuditStore } from '../../src/store/audit-store.js';
import { openAuditStore } from '../../src/store/open-audit-store.js';
import { TEST_APP_SETTINGS } from '../support/build-test-app.js';

const BUNDLE_DIR = new URL('../../policies', import.meta.url).pathname;
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';
const CARD = '4111 1111 1111 1111';
const log = pino({ level: 'silent' });

let database: TestDatabase;
let dataDir: string;
let store: AuditStore;
let auth: Authenticators;
let app: FastifyInstance;
const bearer: Partial<Record<Role, string>> = {};

async function call(role: Role, method: 'GET' | 'POST', url: string, payload?: object) {
  const response = await app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${bearer[role]}` },
    ...(payload === undefined ? {} : { payload }),
  });
  return { status: response.statusCode, body: response.json(), headers: response.headers };
}

async function decide(prompt: string, userId: string): Promise<string> {
  const decided = await call('evaluator', 'POST', '/policy/evaluate', { prompt, user_id: userId });
  expect(decided.status).toBe(200);
  return decided.body.audit_id as string;
}

beforeAll(async () => {
  database = await createTestDatabase();
  dataDir = mkdtempSync(path.join(tmpdir(), 'pgw-privacy-routes-'));
  const settings = loadSettings({
    POLICY_GATEWAY_DATABASE_URL: database.url,
    POLICY_GATEWAY_DATA_DIR: dataDir,
    POLICY_GATEWAY_POLICY_BUNDLE_DIR: BUNDLE_DIR,
  });
  if (settings.store.backend !== 'postgres') throw new Error('PostgreSQL expected');
  const migrating = await openDatabase(settings.store, { log, forMigrations: true });
  expect((await migrateToLatest(migrating.db)).error).toBeUndefined();
  await migrating.close();
  store = await withAuditPrivacy(await openAuditStore(settings.store, log), settings, log);
  auth = await createAuthenticators({
    oidc: settings.oidc,
    apiKeys: store.apiKeys,
    required: true,
    log,
  });
  for (const role of ['evaluator', 'auditor', 'admin', 'privacy-officer'] as const) {
    bearer[role] = (await auth.apiKeys.create({ role, name: `${role} key` })).key;
  }
  app = await buildApp({
    settings: { ...TEST_APP_SETTINGS, maxPromptBytes: 4096 },
    store,
    engine: await EmbeddedPolicyEngine.start({
      bundleDir: BUNDLE_DIR,
      policyPath: 'data.policy_gateway.decision',
    }),
    logger: log,
    authentication: { mode: { mode: 'on', unsafe: false }, authenticators: auth.authenticators },
  });
}, 120_000);

afterAll(async () => {
  await app?.close();
  await database?.drop();
  if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
});

describe('POST /governance/audit/{id}/original', () => {
  it('opens the original for a privacy officer, and records the read with its reason', async () => {
    const prompt = `Charge card ${CARD} for order 1`;
    const id = await decide(prompt, 'u-routes-1');
    const read = await call('privacy-officer', 'POST', `/governance/audit/${id}/original`, {
      reason: 'subject access request #12',
    });
    expect(read.status).toBe(200);
    expect(read.headers['cache-control']).toBe('no-store');
    expect(read.body).toMatchObject({ id, user_id: 'u-routes-1', input: { prompt } });

    const { rows } = await sql<{ parameters: unknown; entry_ids: unknown; principal_id: string }>`
      select parameters, entry_ids, principal_id from access_log_records
      where route = '/governance/audit/:id/original' and status = 200`.execute(store.db!);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.parameters).toEqual({ id, reason: 'subject access request #12' });
    expect(rows[0]!.entry_ids).toEqual([id]);
    expect(rows[0]!.principal_id).toMatch(/^key:/);
  });

  it('refuses an auditor (403) and a read without a reason (400), answers 404 for an unknown entry', async () => {
    const id = await decide(`card ${CARD}`, 'u-routes-2');
    const url = `/governance/audit/${id}/original`;
    expect((await call('auditor', 'POST', url, { reason: 'curious' })).status).toBe(403);
    expect((await call('admin', 'POST', url, { reason: 'curious' })).status).toBe(403);
    const blank = await call('privacy-officer', 'POST', url, { reason: '   ' });
    expect(blank.status).toBe(400);
    expect((await call('privacy-officer', 'POST', url, {})).body.code).toBe('INVALID_FIELD');
    const unknown = await call(
      'privacy-officer',
      'POST',
      `/governance/audit/${UNKNOWN_ID}/original`,
      { reason: 'ticket 9' },
    );
    expect(unknown.status).toBe(404);
    expect(unknown.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('answers 409 NO_SEALED_ORIGINAL for an entry stored unmasked', async () => {
    const id = await decide('Summarise the meeting notes.', 'u-routes-3');
    const read = await call('privacy-officer', 'POST', `/governance/audit/${id}/original`, {
      reason: 'ticket 10',
    });
    expect(read.status).toBe(409);
    expect(read.body.code).toBe('NO_SEALED_ORIGINAL');
  });
});

describe('an idempotent evaluation while masking is on', () => {
  it('stores a keyed request digest, replays a retry of the same body and refuses another body', async () => {
    const body = { prompt: `Charge card ${CARD}`, user_id: 'u-retry' };
    const send = (payload: object) =>
      app.inject({
        method: 'POST',
        url: '/policy/evaluate',
        headers: { authorization: `Bearer ${bearer.evaluator}`, 'idempotency-key': 'retry-1' },
        payload,
      });
    const first = await send(body);
    expect(first.statusCode).toBe(200);
    const retry = await send({ user_id: 'u-retry', prompt: `Charge card ${CARD}` });
    expect(retry.statusCode).toBe(200);
    expect(retry.json().audit_id).toBe(first.json().audit_id);
    const other = await send({ ...body, prompt: 'Charge card 4012 8888 8888 1881' });
    expect(other.statusCode).toBe(422);
    const entry = await call('auditor', 'GET', `/governance/audit/${first.json().audit_id}`);
    expect(entry.body.request_digest).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);
  });
});

describe('POST /admin/subjects/{user_id}/erasure', () => {
  it('erases the subject: its original is gone (410), the masked entry stays, a second erasure says so', async () => {
    const id = await decide(`Charge card ${CARD} again`, 'u-routes-erased');
    expect(
      (
        await call('privacy-officer', 'POST', '/admin/subjects/u-routes-erased/erasure', {
          reason: 'GDPR Art. 17 request #3',
        })
      ).status,
    ).toBe(403);

    const erased = await call('admin', 'POST', '/admin/subjects/u-routes-erased/erasure', {
      reason: 'GDPR Art. 17 request #3',
    });
    expect(erased.status).toBe(200);
    expect(erased.body).toMatchObject({
      status: 'erased',
      entries_affected: 1,
      erased_by: expect.stringMatching(/^key:/),
      previous: null,
    });

    const read = await call('privacy-officer', 'POST', `/governance/audit/${id}/original`, {
      reason: 'after the erasure',
    });
    expect(read.status).toBe(410);
    expect(read.body.code).toBe('SUBJECT_ERASED');
    expect(read.headers['content-type']).toMatch(/^application\/problem\+json/);

    const entry = await call('auditor', 'GET', `/governance/audit/${id}`);
    expect(entry.status).toBe(200);
    expect(((entry.body as AuditEntry).input as { prompt: string }).prompt).toBe(
      'Charge card [pii.payment_card] again',
    );

    const again = await call('admin', 'POST', '/admin/subjects/u-routes-erased/erasure', {
      reason: 'repeated request',
    });
    expect(again.body).toMatchObject({
      status: 'nothing_to_erase',
      previous: { erased_by: erased.body.erased_by },
    });
    const { rows } = await sql<{ reason: string; erased_by: string }>`
      select reason, erased_by from subject_erasures order by erased_at`.execute(store.db!);
    expect(rows.map((row) => row.reason)).toEqual(['GDPR Art. 17 request #3', 'repeated request']);
  });

  it('erases a subject that never had an entry without error', async () => {
    const erased = await call('admin', 'POST', '/admin/subjects/nobody-seen/erasure', {
      reason: 'precautionary',
    });
    expect(erased.status).toBe(200);
    expect(erased.body).toMatchObject({ status: 'nothing_to_erase', previous: null });
  });
});

describe("the entry as served: its sealed original's state", () => {
  it('says `erased` once the subject is erased, in pages and by id, leaving what is stored as it was', async () => {
    const [gone, kept] = [
      await decide(`Charge card ${CARD} for the state`, 'u-state-erased'),
      await decide(`Charge card ${CARD} for the state`, 'u-state-kept'),
    ];
    const plain = await decide('Summarise the state of things.', 'u-state-kept');
    const stateOf = async (id: string) =>
      ((await call('auditor', 'GET', `/governance/audit/${id}`)).body as AuditEntry)
        .sealed_original_state;
    expect([await stateOf(gone), await stateOf(kept), await stateOf(plain)]).toEqual([
      'sealed',
      'sealed',
      null,
    ]);
    const before = (await call('auditor', 'GET', `/governance/audit/${gone}`)).body as AuditEntry;

    await call('admin', 'POST', '/admin/subjects/u-state-erased/erasure', { reason: 'ticket 21' });
    const after = (await call('auditor', 'GET', `/governance/audit/${gone}`)).body as AuditEntry;
    expect(after.sealed_original_state).toBe('erased');
    expect({ ...after, sealed_original_state: 'sealed' }).toEqual(before);

    const page = await call('auditor', 'GET', '/governance/audit?limit=100');
    const listed = new Map(
      (page.body.entries as AuditEntry[]).map((entry) => [entry.id, entry.sealed_original_state]),
    );
    expect([listed.get(gone), listed.get(kept), listed.get(plain)]).toEqual([
      'erased',
      'sealed',
      null,
    ]);
    // Seen again, the subject's new originals are sealed under a new key; the old one stays erased.
    const again = await decide(`Charge card ${CARD} once more`, 'u-state-erased');
    expect([await stateOf(again), await stateOf(gone)]).toEqual(['sealed', 'erased']);
  });
});
