import { describe, expect, it } from 'vitest';
import { canonicalJson, requestDigest } from '../src/audit/request-digest.js';
import { AuditHmacKey } from '../src/privacy/audit-hmac-key.js';

describe('requestDigest', () => {
  const input = { prompt: 'hi', user_id: 'u', context: { b: [1, { y: 2, x: 1 }], a: 'é' } };

  it('is the same for the same request however its members were ordered', () => {
    const reordered = { context: { a: 'é', b: [1, { x: 1, y: 2 }] }, user_id: 'u', prompt: 'hi' };
    expect(requestDigest(reordered)).toBe(requestDigest(input));
    expect(requestDigest(input)).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  const differences = [
    { note: 'another prompt', other: { ...input, prompt: 'hi!' } },
    { note: 'another user', other: { ...input, user_id: 'v' } },
    { note: 'another context value', other: { ...input, context: { ...input.context, a: 'e' } } },
    {
      note: 'array items in another order',
      other: { ...input, context: { b: [{ y: 2, x: 1 }, 1], a: 'é' } },
    },
    { note: 'an extra context member', other: { ...input, context: { ...input.context, c: 1 } } },
  ];
  it.each(differences)('differs for $note', ({ other }) => {
    expect(requestDigest(other)).not.toBe(requestDigest(input));
  });

  it('writes canonical JSON: sorted keys, no whitespace, __proto__ kept as data', () => {
    const value = JSON.parse(
      '{"z": [true, null, 1e21, 0.1], "__proto__": {"k": "v"}, "a": "\\u00e9"}',
    );
    expect(canonicalJson(value)).toBe('{"__proto__":{"k":"v"},"a":"é","z":[true,null,1e+21,0.1]}');
  });
});

describe('requestDigest keyed with the audit HMAC key (masking on)', () => {
  const card = { prompt: 'card 4111 1111 1111 1111', user_id: 'u', context: {} };
  const key = new AuditHmacKey(Buffer.alloc(32, 7));

  it('is an HMAC the plain SHA-256 of a guessed input does not reproduce', () => {
    const keyed = requestDigest(card, key);
    expect(keyed).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);
    expect(keyed.slice('hmac-sha256:'.length)).not.toBe(
      requestDigest(card).slice('sha256:'.length),
    );
  });

  it('matches a retry of the same request under the same key, and nothing under another', () => {
    const retry = { context: {}, user_id: 'u', prompt: 'card 4111 1111 1111 1111' };
    expect(requestDigest(retry, key)).toBe(requestDigest(card, key));
    expect(requestDigest(card, new AuditHmacKey(Buffer.alloc(32, 8)))).not.toBe(
      requestDigest(card, key),
    );
  });

  it('differs for another card number, though both mask to the same marker', () => {
    const other = { ...card, prompt: 'card 4012 8888 8888 1881' };
    expect(requestDigest(other, key)).not.toBe(requestDigest(card, key));
  });
});
