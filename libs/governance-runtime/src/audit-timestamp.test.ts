import { describe, expect, it } from 'vitest';
import {
  auditTimestampNow,
  formatEpochMicros,
  isCanonicalAuditTimestamp,
  toCanonicalAuditTimestamp,
} from './audit-timestamp.js';

describe('toCanonicalAuditTimestamp', () => {
  it.each([
    {
      note: 'canonical stays as it is',
      value: '2026-11-28T07:18:50.123456Z',
      expected: '2026-11-28T07:18:50.123456Z',
    },
    {
      note: 'no fraction gets six zeros',
      value: '2026-11-28T07:18:50Z',
      expected: '2026-11-28T07:18:50.000000Z',
    },
    {
      note: 'milliseconds are padded',
      value: '2026-11-28T07:18:50.123Z',
      expected: '2026-11-28T07:18:50.123000Z',
    },
    {
      note: 'nanoseconds are truncated',
      value: '2026-11-28T07:18:50.123456789Z',
      expected: '2026-11-28T07:18:50.123456Z',
    },
    {
      note: 'a positive offset is moved to UTC',
      value: '2026-11-28T08:18:50.5+01:00',
      expected: '2026-11-28T07:18:50.500000Z',
    },
    {
      note: 'a negative offset crosses midnight',
      value: '2026-11-27T23:30:00-08:00',
      expected: '2026-11-28T07:30:00.000000Z',
    },
    {
      note: 'lower-case t and z',
      value: '2026-11-28t07:18:50z',
      expected: '2026-11-28T07:18:50.000000Z',
    },
    { note: 'a leap day', value: '2028-02-29T00:00:00Z', expected: '2028-02-29T00:00:00.000000Z' },
  ])('converts: $note', ({ value, expected }) => {
    expect(toCanonicalAuditTimestamp(value)).toBe(expected);
  });

  it.each([
    { note: 'no zone', value: '2026-11-28T07:18:50' },
    { note: 'a date only', value: '2026-11-28' },
    { note: 'month 13', value: '2026-13-01T00:00:00Z' },
    { note: 'February 30th', value: '2026-02-30T00:00:00Z' },
    { note: 'February 29th of a common year', value: '2026-02-29T00:00:00Z' },
    { note: 'hour 24', value: '2026-11-28T24:00:00Z' },
    { note: 'an empty fraction', value: '2026-11-28T07:18:50.Z' },
    { note: 'words', value: 'yesterday' },
  ])('returns null for $note', ({ value }) => {
    expect(toCanonicalAuditTimestamp(value)).toBeNull();
  });
});

describe('isCanonicalAuditTimestamp', () => {
  it('accepts only the six-digit UTC form', () => {
    expect(isCanonicalAuditTimestamp('2026-11-28T07:18:50.123456Z')).toBe(true);
    expect(isCanonicalAuditTimestamp('2026-11-28T07:18:50.123Z')).toBe(false);
    expect(isCanonicalAuditTimestamp('2026-11-31T07:18:50.123456Z')).toBe(false);
  });
});

describe('formatEpochMicros', () => {
  it('writes microseconds since the epoch as canonical text', () => {
    expect(formatEpochMicros(Date.UTC(2026, 10, 28, 7, 18, 50) * 1000 + 123_456)).toBe(
      '2026-11-28T07:18:50.123456Z',
    );
    expect(formatEpochMicros(0)).toBe('1970-01-01T00:00:00.000000Z');
  });
});

describe('auditTimestampNow', () => {
  it('gives canonical timestamps that never go backwards within the process', () => {
    const stamps = Array.from({ length: 2000 }, () => auditTimestampNow());
    expect(stamps.every(isCanonicalAuditTimestamp)).toBe(true);
    expect([...stamps].sort()).toEqual(stamps);
  });

  it('stays within a few milliseconds of the wall clock', () => {
    const before = Date.now();
    const stamp = Date.parse(auditTimestampNow());
    const after = Date.now();
    expect(stamp).toBeGreaterThanOrEqual(before - 2);
    expect(stamp).toBeLessThanOrEqual(after + 2);
  });
});
