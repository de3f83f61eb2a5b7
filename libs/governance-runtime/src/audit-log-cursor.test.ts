import { describe, expect, it } from 'vitest';
import {
  decodeAuditLogCursor,
  encodeAuditLogCursor,
  InvalidCursorError,
} from './audit-log-cursor.js';
import { InvalidAuditQueryError } from './invalid-audit-query-error.js';

const position = {
  occurredAt: '2026-11-28T07:18:50.123456Z',
  id: '019ad1a2-3b4c-7d5e-8f60-718293a4b5c6',
};

describe('audit log cursors', () => {
  it('decode to the position they were made from', () => {
    expect(decodeAuditLogCursor(encodeAuditLogCursor(position))).toEqual(position);
  });

  it('are URL-safe text', () => {
    expect(encodeAuditLogCursor(position)).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('reject a garbled cursor with an error a caller can branch on and a person can act on', () => {
    const cursor = encodeAuditLogCursor(position);
    const garbled = `${cursor.slice(0, 10)}x${cursor.slice(11)}`;
    let caught: unknown;
    try {
      decodeAuditLogCursor(garbled);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidCursorError);
    expect(caught).toBeInstanceOf(InvalidAuditQueryError);
    expect((caught as InvalidCursorError).field).toBe('cursor');
    expect((caught as Error).message).toMatch(/next_cursor of the previous page/);
  });

  it('reject an over-long cursor without decoding it', () => {
    expect(() => decodeAuditLogCursor('A'.repeat(10_000))).toThrow(InvalidCursorError);
  });
});
