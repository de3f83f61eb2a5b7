// Sealing on the evaluation thread (issue 13): a thread lent the subject's data key seals the
// original of the decision it masked, and the write path stores it only while that key is still
// the subject's current one. What it stores must open with the privacy officer's read like any
// original, and an erasure between the evaluation and the write must not leave the original
// under the destroyed key.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type AuditLogEntry, newAuditLogEntryId } from '@policy-gateway/governance-runtime';
import { MemoryAuditLogEntryRepository } from '@policy-gateway/governance-runtime/memory';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { evaluationAuditEntry } from '../../src/audit/evaluation-audit-entry.js';
import { DEFAULT_POLICY_PATH } from '../../src/policy/create-policy-engine.js';
import {
  normalizePolicyInput,
  recordedPolicyInput,
} from '../../src/policy/prompt-normalization.js';
import { WorkerPolicyEngine } from '../../src/policy/worker-policy-engine.js';
import { decidedOf } from '../../src/privacy/decided-masking.js';
import { FileSubjectKeyStore } from '../../src/privacy/file-subject-key-store.js';
import { FileKeyEncryptionKey } from '../../src/privacy/key-encryption-key.js';
import { MaskingAuditLog } from '../../src/privacy/masking-audit-log.js';
import { OriginalSealer, subjectRefOf } from '../../src/privacy/original-sealer.js';

const BUNDLE_DIR = new URL('../../policies', import.meta.url).pathname;
const CARD = '4111 1111 1111 1111';
const PROMPT = `Refund card ${CARD} and mail jane.doe@example.com, thanks.`;
const USER = 'u-thread-sealed';

let engine: WorkerPolicyEngine;
let dir: string;
let sealer: OriginalSealer;

beforeAll(async () => {
  engine = await WorkerPolicyEngine.start({
    bundleDir: BUNDLE_DIR,
    policyPath: DEFAULT_POLICY_PATH,
    threads: 1,
    decisionLogMask: true,
  });
});

afterAll(async () => {
  await engine?.close();
});

beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'pgw-thread-sealing-'));
  sealer = new OriginalSealer(
    new FileSubjectKeyStore(path.join(dir, 'keys')),
    FileKeyEncryptionKey.inDataDir(dir),
  );
  engine.sealOriginalsWith(sealer);
  // The subject's key made and remembered, as after the subject's first decision.
  await sealer.seal(USER, newAuditLogEntryId(), { prompt: 'first' });
});

afterEach(async () => {
  engine.sealOriginalsWith(null);
  await sealer.keyStore.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A decision as the route makes it, the entry's id sent with the input. */
async function decided(prompt: string): Promise<AuditLogEntry> {
  const id = newAuditLogEntryId();
  const evaluated = normalizePolicyInput({ prompt, user_id: USER, context: {} });
  const evaluation = await engine.evaluate(evaluated, { entryId: id });
  return evaluationAuditEntry(engine, recordedPolicyInput(evaluated), evaluation, {
    id,
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
}

function writer(): MaskingAuditLog {
  return new MaskingAuditLog(new MemoryAuditLogEntryRepository(), {
    policy: null,
    sealer,
    log: { warn: () => {} },
  });
}

describe('an original sealed on the evaluation thread', () => {
  it('is stored as the thread sealed it and opens to the unmasked input', async () => {
    const entry = await decided(PROMPT);
    const onThread = decidedOf(entry)?.sealed;
    expect(onThread?.entryId).toBe(entry.id);
    // Sealed there, its text did not come back.
    expect(decidedOf(entry)?.parts.original).toBeUndefined();
    const stored = await writer().mask(entry);
    expect(stored.sealedOriginal).toBe(onThread?.original);
    expect(JSON.stringify(stored)).not.toContain(CARD);
    const opened = await sealer.open(USER, stored.id, stored.sealedOriginal!);
    expect(opened).toEqual({ readable: true, input: entry.input });
  });

  it('is sealed again under the new key when the subject was erased before the write', async () => {
    const entry = await decided(PROMPT);
    const onThread = decidedOf(entry)?.sealed;
    expect(onThread).toBeDefined();
    const destroyed = await sealer.keyStore.destroy(subjectRefOf(USER));
    expect(destroyed?.keyId).toBe(onThread?.original.key_id);
    const stored = await writer().mask(entry);
    expect(stored.sealedOriginal?.key_id).not.toBe(destroyed?.keyId);
    expect(stored.sealedOriginal?.ciphertext).not.toBe(onThread?.original.ciphertext);
    // The subject seen again has a new key, and the original opens under it alone.
    expect(await sealer.open(USER, stored.id, stored.sealedOriginal!)).toEqual({
      readable: true,
      input: entry.input,
    });
    expect(await sealer.open(USER, stored.id, onThread!.original)).toEqual({
      readable: false,
      why: 'erased',
    });
  });

  it('is not stored with another entry: that one is sealed for its own id', async () => {
    const entry = await decided(PROMPT);
    const onThread = decidedOf(entry)?.sealed;
    const other = { ...entry, id: newAuditLogEntryId() };
    const stored = await writer().mask(other);
    expect(stored.sealedOriginal?.ciphertext).not.toBe(onThread?.original.ciphertext);
    expect(await sealer.open(USER, other.id, stored.sealedOriginal!)).toEqual({
      readable: true,
      input: entry.input,
    });
  });

  it('is not made when the engine was lent no keys: the write path seals it', async () => {
    engine.sealOriginalsWith(null);
    const entry = await decided(PROMPT);
    expect(decidedOf(entry)?.sealed).toBeUndefined();
    const stored = await writer().mask(entry);
    expect(await sealer.open(USER, stored.id, stored.sealedOriginal!)).toEqual({
      readable: true,
      input: entry.input,
    });
  });
});
