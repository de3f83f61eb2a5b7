import { describe, expect, it } from 'vitest';
import {
  auditLogEntryIdOf,
  isAuditLogEntryId,
  newAuditLogEntryId,
} from './new-audit-log-entry-id.js';

describe('newAuditLogEntryId', () => {
  it('makes lower-case version 7 UUIDs', () => {
    const id = newAuditLogEntryId();
    expect(isAuditLogEntryId(id)).toBe(true);
    expect(id[14]).toBe('7');
  });

  it('makes ids that sort in the order they were made', () => {
    const ids = Array.from({ length: 1000 }, () => newAuditLogEntryId());
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('isAuditLogEntryId', () => {
  it('refuses upper case and non-UUID text', () => {
    expect(isAuditLogEntryId('019AD1A2-3B4C-7D5E-8F60-718293A4B5C6')).toBe(false);
    expect(isAuditLogEntryId("1' or '1'='1")).toBe(false);
  });
});

describe('auditLogEntryIdOf', () => {
  const at = Date.parse('2026-12-01T10:00:00.123Z');

  it('gives the same fact the same version 7 id, and another fact another', () => {
    const id = auditLogEntryIdOf(at, 'opa:4ca636c1-55e4-417a-b1d8-4aceb67960d1');
    expect(isAuditLogEntryId(id)).toBe(true);
    expect(id[14]).toBe('7');
    expect(auditLogEntryIdOf(at, 'opa:4ca636c1-55e4-417a-b1d8-4aceb67960d1')).toBe(id);
    expect(auditLogEntryIdOf(at, 'opa:5ca636c1-55e4-417a-b1d8-4aceb67960d1')).not.toBe(id);
  });

  it('sorts by the time of the fact', () => {
    const earlier = auditLogEntryIdOf(at, 'b');
    const later = auditLogEntryIdOf(at + 1, 'a');
    expect(earlier < later).toBe(true);
  });
});
