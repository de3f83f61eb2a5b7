import { describe, expect, it } from 'vitest';
import { canonicalJson, requestDigest } from '../src/audit/request-digest.js';

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
