// `policy-gateway subjects erase` through the real command: the subject's key file is gone,
// its originals no longer open, the erasure is recorded (who, when, why, how many), a second
// erasure says it was done before, and bad usage is one line with exit 2.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { newAuditLogEntryId } from '@policy-gateway/governance-runtime';
import {
  openPostgresAuditLogDatabase,
  PostgresAuditLogEntryRepository,
} from '@policy-gateway/governance-runtime/postgres';
import {
  createTestDatabase,
  migrateAuditLogToLatest,
  type TestDatabase,
} from '@policy-gateway/governance-runtime/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSettings } from '../../src/config/settings.js';
import { originalSealerOf } from '../../src/privacy/audit-privacy.js';
import { MaskingAuditLog } from '../../src/privacy/masking-audit-log.js';
import type { OriginalSealer } from '../../src/privacy/original-sealer.js';
import { auditEntry } from '../support/audit-entry-fixture.js';
import { runCli } from '../support/gateway-process.js';

let database: TestDatabase;
let db: ReturnType<typeof openPostgresAuditLogDatabase>;
let dataDir: string;
let sealer: OriginalSealer;
let env: Record<string, string>;

beforeAll(async () => {
  database = await createTestDatabase();
  db = openPostgresAuditLogDatabase({ connectionString: database.url, maxConnections: 2 });
  await migrateAuditLogToLatest(db);
  dataDir = await mkdtemp(path.join(tmpdir(), 'subjects-erase-'));
  env = { POLICY_GATEWAY_DATABASE_URL: database.url, POLICY_GATEWAY_DATA_DIR: dataDir };
  sealer = originalSealerOf(loadSettings(env))!;
});

afterAll(async () => {
  await db?.destroy();
  await database?.drop();
  if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
});

/** Stores an entry of `userId` whose prompt held an e-mail address, sealed. */
async function storeMasked(userId: string): Promise<string> {
  const writer = new MaskingAuditLog(new PostgresAuditLogEntryRepository(db), {
    policy: null,
    sealer,
    log: { warn: () => {} },
  });
  const id = newAuditLogEntryId();
  await writer.append(
    auditEntry(1, {
      id,
      userId,
      input: { prompt: 'mail jane@example.com', user_id: userId, context: {} },
      result: {
        allow: false,
        reasons: [],
        redact: [{ code: 'pii.email', text: 'jane@example.com' }],
      },
    }),
  );
  return id;
}

describe('policy-gateway subjects erase', () => {
  it('destroys the key, records the erasure, and says so again on a second erasure', async () => {
    const first = await storeMasked('u-gdpr');
    const second = await storeMasked('u-gdpr');
    const stored = await new PostgresAuditLogEntryRepository(db).findById(first);
    expect((await sealer.open('u-gdpr', first, stored!.sealedOriginal!)).readable).toBe(true);

    const erased = await runCli(
      ['subjects', 'erase', 'u-gdpr', '--reason', 'GDPR request #42'],
      env,
    );
    expect(erased.stderr).toBe('');
    expect(erased.code).toBe(0);
    expect(erased.stdout).toMatch(
      /^erased u-gdpr: data key destroyed, 2 sealed original\(s\) now unreadable/,
    );

    for (const id of [first, second]) {
      const entry = await new PostgresAuditLogEntryRepository(db).findById(id);
      expect((entry!.input as { prompt: string }).prompt).toBe('mail [pii.email]');
      expect(await sealer.open('u-gdpr', id, entry!.sealedOriginal!)).toEqual({
        readable: false,
        why: 'erased',
      });
    }
    const { rows } = await sql<{
      erased_by: string;
      reason: string;
      entries_affected: string;
      subject_ref: string;
    }>`
      select erased_by, reason, entries_affected::text, subject_ref from subject_erasures`.execute(
      db,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ reason: 'GDPR request #42', entries_affected: '2' });
    expect(rows[0]!.erased_by).toMatch(/^cli:/);
    // The record names the subject by a digest, not by the user id.
    expect(JSON.stringify(rows)).not.toContain('u-gdpr');

    const again = await runCli(
      ['subjects', 'erase', 'u-gdpr', '--reason', 'duplicate request'],
      env,
    );
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^u-gdpr was already erased at \S+ by cli:/);
  });

  it('erases a subject without entries without an error', async () => {
    const result = await runCli(
      ['subjects', 'erase', 'never-seen', '--reason', 'request', '--json'],
      env,
    );
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ status: 'nothing-to-erase', previous: null });
  });

  it('refuses an erasure without a reason in one line, exit 2', async () => {
    const result = await runCli(['subjects', 'erase', 'u-gdpr'], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'policy-gateway: subjects erase needs --reason "<why>" (1 to 1000 characters), recorded with the erasure\n',
    );
  });
});
