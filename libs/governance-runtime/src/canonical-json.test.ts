import canonicalize from 'canonicalize';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical-json.js';

/** A deterministic generator of JSON values with the awkward parts JCS cares about. */
function* values(seed: number, count: number): Generator<unknown> {
  let state = seed;
  const next = () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
  const names = ['a', 'B', 'é', '\uE000', '😀', '10', '9', '0', 'z\n', '"q"', 'a b', '', 'ab'];
  const scalars = [
    0,
    -0,
    1,
    -1.5,
    0.1,
    1e21,
    5e-7,
    2 ** 53 + 2,
    'x',
    '\u2028',
    '\t"\\',
    '\u0001\u001f\u007f\b',
    'plain words, no escapes',
    'é😀',
    true,
    false,
    null,
  ];
  const make = (depth: number): unknown => {
    const r = next();
    if (depth > 3 || r < 0.4) return scalars[Math.floor(next() * scalars.length)];
    if (r < 0.6) return Array.from({ length: Math.floor(next() * 4) }, () => make(depth + 1));
    const object: Record<string, unknown> = {};
    for (let i = Math.floor(next() * 5); i > 0; i -= 1) {
      object[names[Math.floor(next() * names.length)]!] = make(depth + 1);
    }
    return object;
  };
  for (let i = 0; i < count; i += 1) yield make(0);
}

describe('canonicalJson', () => {
  it('writes exactly what canonicalize writes, integer-like member names and escapes included', () => {
    for (const value of values(42, 5000)) {
      expect(canonicalJson(value)).toBe(canonicalize(value));
    }
  });

  it('sorts members by UTF-16 code units, and names that look like indices as text', () => {
    expect(canonicalJson({ '9': 1, '10': 2, b: 3, a: { d: 4, c: 5 } })).toBe(
      '{"10":2,"9":1,"a":{"c":5,"d":4},"b":3}',
    );
    expect(canonicalJson({ '\uE000': 1, '😀': 2 })).toBe('{"😀":2,"\uE000":1}');
  });

  it('leaves out undefined members and refuses what JCS refuses, as canonicalize does', () => {
    expect(canonicalJson({ a: undefined, b: [undefined] })).toBe('{"b":[null]}');
    expect(() => canonicalJson({ a: Number.NaN })).toThrow();
    expect(() => canonicalJson('\uD800')).toThrow();
  });
});
