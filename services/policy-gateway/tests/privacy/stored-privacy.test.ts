// Privacy as stored: decisions of the shipped policy on prompts holding each kind of secret and
// personal data go through the masking step into PostgreSQL, and the database is then read
// directly (every column as text, jsonb included): none of them is there. The sealed original
// opens with the subject's key, and not once the key is destroyed, while the masked entry is
// still served, reads back with the digest it was stored with, and a backup taken before the
// erasure brings nothing back, since the keys live in their own store.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  type AuditLogEntry,
  auditEntryDigest,
  newAuditLogEntryId,
  toStorableAuditLogEntry,
} from '@policy-gateway/governance-runtime';
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
import { evaluationAuditEntry } from '../../src/audit/evaluation-audit-entry.js';
import { EmbeddedPolicyEngine } from '../../src/policy/embedded-policy-engine.js';
import { loadPolicyBundle } from '../../src/policy/policy-bundle.js';
import { FileSubjectKeyStore } from '../../src/privacy/file-subject-key-store.js';
import { FileKeyEncryptionKey } from '../../src/privacy/key-encryption-key.js';
import { MaskPolicy } from '../../src/privacy/mask-policy.js';
import { MaskingAuditLog } from '../../src/privacy/masking-audit-log.js';
import { OriginalSealer, subjectRefOf } from '../../src/privacy/original-sealer.js';

const BUNDLE_DIR = new URL('../../policies', import.meta.url).pathname;

/** One of each kind the shipped policy redacts, as a user might paste it. */
const SECRETS = {
  aws: 'AKIAIOSFODNN7EXAMPLE',
  github: 'ghp_abcdefghijklmnopqrstuvwxyz0123456789',
  slack: 'xoxb-1234567890-abcdefghijkl',
  openai: 'sk-proj-abcdefghijklmnopqrstuvwxyz012345',
  jwt: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
  password: 'Hunter2Secret!',
  card: '4111 1111 1111 1111',
  ssn: '123-45-6789',
  email: 'jane.doe@example.com',
  phone: '(555) 123-4567',
  iban: 'GB82 WEST 1234 5698 7654 32',
};

const PROMPT = `Deploy with ${SECRETS.aws} and ${SECRETS.github}; post to ${SECRETS.slack}; use ${SECRETS.openai} and bearer ${SECRETS.jwt}. password: ${SECRETS.password} Charge card ${SECRETS.card}, SSN ${SECRETS.ssn}, mail ${SECRETS.email}, call ${SECRETS.phone}, refund to ${SECRETS.iban}.`;

let database: TestDatabase;
let db: ReturnType<typeof openPostgresAuditLogDatabase>;
let engine: EmbeddedPolicyEngine;
let keysDir: string;
let sealer: OriginalSealer;
let writer: MaskingAuditLog;

async function decide(prompt: string, userId: string, context = {}): Promise<AuditLogEntry> {
  const input = { prompt, user_id: userId, context };
  const evaluation = await engine.evaluate(input);
  const entry = evaluationAuditEntry(engine, input, evaluation, {
    id: newAuditLogEntryId(),
    decisionId: newAuditLogEntryId(),
    occurredAt: new Date().toISOString(),
    requestId: null,
    clientRequestId: null,
    clientAddress: '127.0.0.1',
    userAgent: null,
    gatewayInstance: 'privacy-test',
    principalId: 'anonymous',
    idempotencyKey: null,
    requestDigest: null,
  });
  await writer.append(entry);
  return entry;
}

beforeAll(async () => {
  database = await createTestDatabase();
  db = openPostgresAuditLogDatabase({ connectionString: database.url, maxConnections: 2 });
  await migrateAuditLogToLatest(db);
  engine = await EmbeddedPolicyEngine.start({
    bundleDir: BUNDLE_DIR,
    policyPath: 'data.policy_gateway.decision',
  });
  keysDir = await mkdtemp(path.join(tmpdir(), 'subject-keys-'));
  sealer = new OriginalSealer(
    new FileSubjectKeyStore(path.join(keysDir, 'keys')),
    FileKeyEncryptionKey.inDataDir(keysDir),
  );
  writer = new MaskingAuditLog(new PostgresAuditLogEntryRepository(db), {
    policy: MaskPolicy.fromBundle(await loadPolicyBundle(BUNDLE_DIR)),
    sealer,
    log: { warn: () => {} },
  });
});

afterAll(async () => {
  await engine?.close();
  await db?.destroy();
  await database?.drop();
  if (keysDir !== undefined) await rm(keysDir, { recursive: true, force: true });
});

describe('an entry stored through the masking step', () => {
  it('holds none of the secrets or personal data in any column, jsonb included', async () => {
    const entry = await decide(PROMPT, 'u-privacy-1');
    const { rows } = await sql<{ row: string }>`
      select t::text as row from audit_log_entries t where id = ${entry.id}::uuid`.execute(db);
    expect(rows).toHaveLength(1);
    const stored = rows[0]!.row;
    for (const [kind, secret] of Object.entries(SECRETS)) {
      expect(stored.includes(secret), `${kind} stored in clear`).toBe(false);
    }
    // Nor in any index: every index of the table is over columns just read.
    const { rows: indexes } = await sql<{ indexdef: string }>`
      select indexdef from pg_indexes where tablename like 'audit_log_entries%'`.execute(db);
    for (const { indexdef } of indexes) {
      expect(indexdef).not.toMatch(/\b(input|result|masking|sealed_original)\b/);
    }
  });

  it('stores the prompt with a marker per span and records what was redacted', async () => {
    const entry = await decide(
      `mail ${SECRETS.email} and ${SECRETS.email}, card ${SECRETS.card}`,
      'u-privacy-2',
    );
    const read = await writer.findById(entry.id);
    expect((read!.input as { prompt: string }).prompt).toBe(
      'mail [pii.email] and [pii.email], card [pii.payment_card]',
    );
    expect(read?.masking).toEqual({
      erased: [],
      masked: [],
      redacted: [
        { code: 'pii.email', count: 2 },
        { code: 'pii.payment_card', count: 1 },
      ],
    });
    expect(read?.result).not.toHaveProperty('redact');
  });

  it("applies the shipped mask policy: a context member marked private is erased, as OPA's erased says", async () => {
    const entry = await decide('hello', 'u-privacy-3', { email: 'x@y.example', team: 'blue' });
    const read = await writer.findById(entry.id);
    expect((read!.input as { context: unknown }).context).toEqual({ team: 'blue' });
    expect(read?.masking?.erased).toEqual(['/input/context/email']);
  });

  it('stores a clean prompt as evaluated, without masking or a sealed original', async () => {
    const entry = await decide('Summarise the meeting notes.', 'u-privacy-4');
    const read = await writer.findById(entry.id);
    expect((read!.input as { prompt: string }).prompt).toBe('Summarise the meeting notes.');
    expect(read).not.toHaveProperty('masking');
    expect(read).not.toHaveProperty('sealedOriginal');
  });
});

describe('the sealed original and erasure', () => {
  it('opens with the subject key, then not after the key is destroyed, while the masked entry stays', async () => {
    const entry = await decide(PROMPT, 'u-erased');
    const before = await writer.findById(entry.id);
    const digestAtWrite = auditEntryDigest(before!);
    expect(before?.sealedOriginal).toBeDefined();
    const opened = await sealer.open('u-erased', entry.id, before!.sealedOriginal!);
    expect(opened).toEqual({ readable: true, input: entry.input });
    // Another entry's id cannot open it: the ciphertext is bound to its entry.
    expect(await sealer.open('u-erased', newAuditLogEntryId(), before!.sealedOriginal!)).toEqual({
      readable: false,
      why: 'corrupt',
    });

    // A backup of the trail taken before the erasure.
    const backup = toStorableAuditLogEntry(before!);

    const destroyed = await sealer.keyStore.destroy(subjectRefOf('u-erased'));
    expect(destroyed?.keyId).toBe(before!.sealedOriginal!.key_id);
    expect(await readdir(path.join(keysDir, 'keys'))).not.toContain(
      `${subjectRefOf('u-erased')}.json`,
    );

    const after = await writer.findById(entry.id);
    expect(after).toEqual(before);
    expect(auditEntryDigest(after!)).toBe(digestAtWrite);
    expect(await sealer.open('u-erased', entry.id, after!.sealedOriginal!)).toEqual({
      readable: false,
      why: 'erased',
    });

    // The backup restored into another database: its ciphertext is all it has.
    const restored = await createTestDatabase();
    const restoredDb = openPostgresAuditLogDatabase({
      connectionString: restored.url,
      maxConnections: 1,
    });
    try {
      await migrateAuditLogToLatest(restoredDb);
      const repository = new PostgresAuditLogEntryRepository(restoredDb);
      await repository.append(backup);
      const back = await repository.findById(entry.id);
      expect(await sealer.open('u-erased', entry.id, back!.sealedOriginal!)).toEqual({
        readable: false,
        why: 'erased',
      });
    } finally {
      await restoredDb.destroy();
      await restored.drop();
    }

    // Seen again after the erasure, the subject gets a new key; old originals stay shut.
    const later = await decide(`again ${SECRETS.email}`, 'u-erased');
    const laterRead = await writer.findById(later.id);
    expect(laterRead!.sealedOriginal!.key_id).not.toBe(before!.sealedOriginal!.key_id);
    expect((await sealer.open('u-erased', later.id, laterRead!.sealedOriginal!)).readable).toBe(
      true,
    );
    expect((await sealer.open('u-erased', entry.id, before!.sealedOriginal!)).readable).toBe(false);
  });
});
