// Masking on the evaluation thread (issue 13): the thread that decides also masks the entry the
// decision is recorded in, so the write path only seals and stores. What is stored must be what
// the write path would have stored masking the entry itself, and an entry that does not record
// the input the thread masked (same result, another prompt) must be masked from its own input.
import { type AuditLogEntry, newAuditLogEntryId } from '@policy-gateway/governance-runtime';
import { MemoryAuditLogEntryRepository } from '@policy-gateway/governance-runtime/memory';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluationAuditEntry } from '../../src/audit/evaluation-audit-entry.js';
import { DEFAULT_POLICY_PATH } from '../../src/policy/create-policy-engine.js';
import {
  normalizePolicyInput,
  recordedPolicyInput,
} from '../../src/policy/prompt-normalization.js';
import { WorkerPolicyEngine } from '../../src/policy/worker-policy-engine.js';
import { decidedMaskingOf } from '../../src/privacy/decided-masking.js';
import { maskParts } from '../../src/privacy/entry-masking.js';
import { maskRulesOf } from '../../src/privacy/mask-policy.js';
import { MaskingAuditLog } from '../../src/privacy/masking-audit-log.js';

const BUNDLE_DIR = new URL('../../policies', import.meta.url).pathname;
const CARD = '4111 1111 1111 1111';
const EMAIL = 'jane.doe@example.com';
const PROMPT = `Refund card ${CARD} and mail ${EMAIL}, thanks.`;

let engine: WorkerPolicyEngine;

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

/** A decision as the route makes it: evaluated on the normalised input, recorded without its texts. */
async function decided(prompt: string): Promise<AuditLogEntry> {
  const evaluated = normalizePolicyInput({ prompt, user_id: 'u-1', context: {} });
  const evaluation = await engine.evaluate(evaluated);
  return evaluationAuditEntry(engine, recordedPolicyInput(evaluated), evaluation, {
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
}

function writer(): MaskingAuditLog {
  const log = { warn: () => {} };
  return new MaskingAuditLog(new MemoryAuditLogEntryRepository(), {
    policy: null,
    sealer: null,
    log,
  });
}

describe('an entry masked on the evaluation thread', () => {
  it('is stored as the write path would have masked it, with neither span in it', async () => {
    const entry = await decided(PROMPT);
    const onThread = decidedMaskingOf(entry);
    expect(onThread).toBeDefined();
    const stored = await writer().mask(entry);
    const text = JSON.stringify(stored);
    expect(text).not.toContain(CARD);
    expect(text).not.toContain(EMAIL);
    expect(stored.input).toBe(onThread?.input);
    // What the write path makes of the same entry with the rules the thread evaluated.
    const mask = await engine.queryDocument({
      path: ['system', 'log', 'mask'],
      input: {
        path: 'policy_gateway/decision',
        input: normalizePolicyInput(entry.input),
        result: entry.result,
      },
    });
    const here = maskParts(entry.input, entry.result, maskRulesOf(mask));
    expect(stored.input).toEqual(here.input);
    expect(stored.result).toEqual(here.result);
    expect(stored.masking).toEqual(here.masking);
    expect(stored.masking?.redacted.map(({ code }) => code)).toEqual(
      expect.arrayContaining(['pii.email', 'pii.payment_card']),
    );
    expect(onThread?.original).toBe(JSON.stringify(entry.input));
  });

  it('is not used for an entry that records another input: that one is masked from its own', async () => {
    const entry = await decided(PROMPT);
    const other = `${PROMPT} Also ${CARD} again.`;
    const moved = { ...entry, input: { ...(entry.input as object), prompt: other } };
    expect(decidedMaskingOf(moved)).toBeUndefined();
    const stored = await writer().mask(moved);
    const prompt = (stored.input as { prompt: string }).prompt;
    expect(prompt).not.toContain(CARD);
    expect(prompt).toContain('Also [pii.payment_card] again.');
  });
});
