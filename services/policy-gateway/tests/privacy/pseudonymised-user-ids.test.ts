// POLICY_GATEWAY_AUDIT_USER_IDS=hmac on PostgreSQL: the user id is stored nowhere (the row is
// read directly), entries carry its pseudonym, and everything that asks by user id still works
// by hashing it the same way: the user_id filter, an idempotent retry, reading the original and
// erasing the subject.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AuditPage } from '@policy-gateway/gateway-contract';
import { createTestDatabase, type TestDatabase } from '@policy-gateway/governance-runtime/testing';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadSettings } from '../../src/config/settings.js';
import { openDatabase } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migration-runner.js';
import { EmbeddedPolicyEngine } from '../../src/policy/embedded-policy-engine.js';
import { withAuditPrivacy } from '../../src/privacy/audit-privacy.js';
import type { AuditStore } from '../../src/store/audit-store.js';
import { openAuditStore } from '../../src/store/open-audit-store.js';
import { TEST_APP_SETTINGS } from '../support/build-test-app.js';

const BUNDLE_DIR = new URL('../../policies', import.meta.url).pathname;
const USER = 'Jane.Doe@example.com';
const log = pino({ level: 'silent' });

let database: TestDatabase;
let dataDir: string;
let store: AuditStore;
let app: FastifyInstance;

async function evaluate(prompt: string, idempotencyKey?: string) {
  const response = await app.inject({
    method: 'POST',
    url: '/policy/evaluate',
    headers: idempotencyKey === undefined ? {} : { 'idempotency-key': idempotencyKey },
    payload: { prompt, user_id: USER },
  });
  expect(response.statusCode).toBe(200);
  return response.json() as { audit_id: string };
}

beforeAll(async () => {
  database = await createTestDatabase();
  dataDir = mkdtempSync(path.join(tmpdir(), 'pgw-pseudonyms-'));
  const settings = loadSettings({
    POLICY_GATEWAY_DATABASE_URL: database.url,
    POLICY_GATEWAY_DATA_DIR: dataDir,
    POLICY_GATEWAY_POLICY_BUNDLE_DIR: BUNDLE_DIR,
    POLICY_GATEWAY_AUDIT_USER_IDS: 'hmac',
  });
  if (settings.store.backend !== 'postgres') throw new Error('PostgreSQL expected');
  const migrating = await openDatabase(settings.store, { log, forMigrations: true });
  expect((await migrateToLatest(migrating.db)).error).toBeUndefined();
  await migrating.close();
  store = await withAuditPrivacy(await openAuditStore(settings.store, log), settings, log);
  app = await buildApp({
    settings: { ...TEST_APP_SETTINGS, maxPromptBytes: 4096 },
    store,
    engine: await EmbeddedPolicyEngine.start({
      bundleDir: BUNDLE_DIR,
      policyPath: 'data.policy_gateway.decision',
    }),
    logger: log,
  });
}, 120_000);

afterAll(async () => {
  await app?.close();
  await database?.drop();
  if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
});

describe('user ids stored as HMAC pseudonyms', () => {
  it('stores the pseudonym in every column, and the user_id filter finds the entry by the user id', async () => {
    const { audit_id: id } = await evaluate('Charge card 4111 1111 1111 1111');
    const { rows } = await sql<{ row: string }>`
      select t::text as row from audit_log_entries t where id = ${id}::uuid`.execute(store.db!);
    expect(rows[0]!.row.toLowerCase()).not.toContain('jane.doe');

    const page = (
      await app.inject({ url: `/governance/audit?user_id=${encodeURIComponent(USER)}` })
    ).json() as AuditPage;
    expect(page.entries.map((entry) => entry.id)).toEqual([id]);
    const [entry] = page.entries;
    expect(entry!.user_id).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);
    expect((entry!.input as { user_id: string }).user_id).toBe(entry!.user_id);
    // Exact matches only: another spelling is another user id.
    const other = (
      await app.inject({
        url: `/governance/audit?user_id=${encodeURIComponent(USER.toLowerCase())}`,
      })
    ).json() as AuditPage;
    expect(other.entries).toEqual([]);
  });

  it('replays an idempotent retry, opens the original, and erases the subject by its user id', async () => {
    const first = await evaluate('Mail jane.doe@example.com the receipt', 'pseudonym-retry');
    const retry = await evaluate('Mail jane.doe@example.com the receipt', 'pseudonym-retry');
    expect(retry.audit_id).toBe(first.audit_id);

    const read = await app.inject({
      method: 'POST',
      url: `/governance/audit/${first.audit_id}/original`,
      payload: { reason: 'subject access request' },
    });
    expect(read.statusCode).toBe(200);
    expect(read.json().input.prompt).toBe('Mail jane.doe@example.com the receipt');

    const erased = await app.inject({
      method: 'POST',
      url: `/admin/subjects/${encodeURIComponent(USER)}/erasure`,
      payload: { reason: 'GDPR Art. 17' },
    });
    expect(erased.json()).toMatchObject({ status: 'erased', entries_affected: 2 });
    const after = await app.inject({
      method: 'POST',
      url: `/governance/audit/${first.audit_id}/original`,
      payload: { reason: 'after the erasure' },
    });
    expect(after.json().code).toBe('SUBJECT_ERASED');
  });
});
