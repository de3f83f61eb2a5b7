import { describe, expect, it } from 'vitest';
import { makeEntry } from '../testing/audit-log-entry-fixtures.js';
import { auditEntryDigestPreimage } from './audit-entry-hash.js';
import { handOverJson, isHandedOverJson } from './handed-over-json.js';
import { InvalidAuditLogEntryError } from './invalid-audit-log-entry-error.js';
import type { SealedOriginal } from './sealed-original.js';
import { toStorableAuditLogEntry } from './storable-audit-log-entry.js';

const masking = () => ({
  erased: ['/input/context/secret'],
  masked: [],
  redacted: [{ code: 'pii.email', count: 1 }],
});
const sealed = (): SealedOriginal => ({ v: 1, key_id: 'k', iv: 'aXY=', ciphertext: 'Y3Q=' });

describe('handOverJson', () => {
  it('stores a handed-over input, masking record and sealed original as they are', () => {
    const input = handOverJson({ prompt: 'mail [pii.email]', user_id: 'u-1' });
    const record = handOverJson(masking());
    const original = handOverJson(sealed());
    const stored = toStorableAuditLogEntry(
      makeEntry({ input, masking: record, sealedOriginal: original }),
    );
    expect(stored.input).toBe(input);
    expect(stored.masking).toBe(record);
    expect(stored.sealedOriginal).toBe(original);
  });

  it('copies what was not handed over, so a caller changing it later changes nothing stored', () => {
    const input = { prompt: 'hello', user_id: 'u-1' };
    const record = masking();
    const stored = toStorableAuditLogEntry(makeEntry({ input, masking: record }));
    expect(stored.input).not.toBe(input);
    expect(stored.masking).not.toBe(record);
    input.prompt = 'changed';
    record.erased.push('/input/prompt');
    expect(stored.input).toEqual({ prompt: 'hello', user_id: 'u-1' });
    expect(stored.masking?.erased).toEqual(['/input/context/secret']);
  });

  it('still refuses a string PostgreSQL cannot store in a handed-over value', () => {
    const input = handOverJson({ prompt: 'nul \u0000 inside' });
    expect(() => toStorableAuditLogEntry(makeEntry({ input }))).toThrow(InvalidAuditLogEntryError);
    const lone = handOverJson({ ...masking(), erased: ['/input/\uD800'] });
    expect(() => toStorableAuditLogEntry(makeEntry({ masking: lone }))).toThrow(/masking/);
  });

  it('hashes a handed-over value as the same value copied', () => {
    const copied = toStorableAuditLogEntry(
      makeEntry({ masking: masking(), sealedOriginal: sealed() }),
    );
    const handed = toStorableAuditLogEntry({
      ...copied,
      masking: handOverJson(masking()),
      sealedOriginal: handOverJson(sealed()),
    });
    expect(auditEntryDigestPreimage(handed)).toBe(auditEntryDigestPreimage(copied));
  });

  it('leaves the mark out of JSON, spreads and structured clones', () => {
    const value = handOverJson({ a: 1 });
    expect(isHandedOverJson(value)).toBe(true);
    expect(JSON.stringify(value)).toBe('{"a":1}');
    expect(Object.keys(value)).toEqual(['a']);
    expect(isHandedOverJson({ ...value })).toBe(false);
    expect(isHandedOverJson(structuredClone(value))).toBe(false);
    expect(value).toEqual({ a: 1 });
  });

  it('marks nothing that is not an extensible object', () => {
    expect(handOverJson('text')).toBe('text');
    expect(isHandedOverJson(handOverJson(Object.freeze({ a: 1 })))).toBe(false);
    expect(isHandedOverJson(null)).toBe(false);
  });
});
