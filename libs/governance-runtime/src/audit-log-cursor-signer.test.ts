import { describe, expect, it } from 'vitest';
import { encodeAuditLogCursor, InvalidCursorError } from './audit-log-cursor.js';
import { AuditLogCursorSigner } from './audit-log-cursor-signer.js';

const KEY = 'k'.repeat(32);
const cursor = encodeAuditLogCursor({
  occurredAt: '2026-11-28T07:18:50.123456Z',
  id: '019ad1a2-3b4c-7d5e-8f60-718293a4b5c6',
});

function refusal(signer: AuditLogCursorSigner, signed: string): unknown {
  try {
    signer.verify(signed);
  } catch (error) {
    return error;
  }
  throw new Error(`expected ${JSON.stringify(signed)} to be refused`);
}

describe('AuditLogCursorSigner', () => {
  it('gives back the cursor it signed, as URL-safe text', () => {
    const signer = new AuditLogCursorSigner(KEY);
    const signed = signer.sign(cursor);
    expect(signed).toMatch(/^[A-Za-z0-9_.-]+$/);
    expect(signer.verify(signed)).toBe(cursor);
  });

  it('accepts a cursor signed by another signer with the same key, as another replica would', () => {
    expect(new AuditLogCursorSigner(KEY).verify(new AuditLogCursorSigner(KEY).sign(cursor))).toBe(
      cursor,
    );
  });

  it.each([
    {
      note: 'a cursor altered by one character',
      alter: (s: string) => `${s.slice(0, 5)}${s[5] === 'A' ? 'B' : 'A'}${s.slice(6)}`,
    },
    {
      note: 'a signature altered by one character',
      alter: (s: string) => `${s.slice(0, -1)}${s.endsWith('A') ? 'B' : 'A'}`,
    },
    { note: 'the unsigned cursor', alter: () => cursor },
    {
      note: 'a cursor with a well-formed signature of another position',
      alter: (s: string) =>
        `${encodeAuditLogCursor({ occurredAt: '2026-11-28T07:18:50.000000Z', id: '019ad1a2-3b4c-7d5e-8f60-718293a4b5c6' })}${s.slice(s.lastIndexOf('.'))}`,
    },
    { note: 'a truncated signature', alter: (s: string) => s.slice(0, -2) },
    { note: 'a signature with characters base64url skips', alter: (s: string) => `${s}==` },
    { note: 'an empty cursor', alter: () => '' },
    { note: 'an over-long cursor', alter: (s: string) => `${'A'.repeat(10_000)}${s}` },
  ])('refuses $note with InvalidCursorError', ({ alter }) => {
    const signer = new AuditLogCursorSigner(KEY);
    const error = refusal(signer, alter(signer.sign(cursor)));
    expect(error).toBeInstanceOf(InvalidCursorError);
    expect((error as InvalidCursorError).field).toBe('cursor');
  });

  it('refuses a cursor signed with another key, saying so', () => {
    const signed = new AuditLogCursorSigner('o'.repeat(32)).sign(cursor);
    const error = refusal(new AuditLogCursorSigner(KEY), signed);
    expect((error as Error).message).toMatch(/signed with another key/);
  });

  it('refuses a key shorter than 32 bytes', () => {
    expect(() => new AuditLogCursorSigner('short')).toThrow(RangeError);
  });
});
