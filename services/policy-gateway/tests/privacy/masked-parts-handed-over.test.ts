// The masking step hands the hash chain the values it made for an entry alone, so that they are
// not copied again, and only those: an input a mask rule wrote the policy's value into is
// copied and checked as any caller's, so a value JSON cannot carry is still refused.
import {
  type AuditLogEntry,
  InvalidAuditLogEntryError,
  isHandedOverJson,
} from '@policy-gateway/governance-runtime';
import { MemoryAuditLogEntryRepository } from '@policy-gateway/governance-runtime/memory';
import { makeEntry } from '@policy-gateway/governance-runtime/testing';
import { describe, expect, it } from 'vitest';
import type { MaskRule } from '../../src/privacy/mask-rules.js';
import { MaskingAuditLog } from '../../src/privacy/masking-audit-log.js';

const silent = { warn: () => {} };

function maskingWith(rules: readonly MaskRule[]) {
  const inner = new MemoryAuditLogEntryRepository();
  const writer = new MaskingAuditLog(inner, {
    policy: { rulesFor: async () => rules },
    sealer: null,
    log: silent,
  });
  return { inner, writer };
}

function entryWithEmail(): AuditLogEntry {
  return makeEntry({
    input: { prompt: 'mail jane.doe@example.com', user_id: 'u-1', context: {} },
    result: { allow: false, redact: [{ code: 'pii.email', text: 'jane.doe@example.com' }] },
  });
}

describe('the masking step hands over what it made', () => {
  it('hands over a redacted input and the masking record, and the entry is stored', async () => {
    const { inner, writer } = maskingWith([]);
    const stored = await writer.mask(entryWithEmail());
    expect(stored.input).toEqual({ prompt: 'mail [pii.email]', user_id: 'u-1', context: {} });
    expect(isHandedOverJson(stored.input)).toBe(true);
    expect(isHandedOverJson(stored.masking)).toBe(true);
    expect(isHandedOverJson(stored.result)).toBe(false);
    await writer.append(entryWithEmail());
    const [kept] = (await inner.query({ limit: 10 })).entries;
    expect(kept?.input).toEqual({ prompt: 'mail [pii.email]', user_id: 'u-1', context: {} });
  });

  it('copies an input a mask rule upserted into, so a value JSON cannot carry is refused', async () => {
    const upsert: MaskRule = {
      op: 'upsert',
      path: '/input/context/size',
      part: 'input',
      segments: ['context', 'size'],
      value: 2n ** 70n,
    };
    const { inner, writer } = maskingWith([upsert]);
    const stored = await writer.mask(entryWithEmail());
    expect(stored.masking?.masked).toEqual(['/input/context/size']);
    expect(isHandedOverJson(stored.input)).toBe(false);
    await expect(writer.append(entryWithEmail())).rejects.toThrow(InvalidAuditLogEntryError);
    expect((await inner.query({ limit: 10 })).entries).toEqual([]);
  });
});
