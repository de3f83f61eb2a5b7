import { describe, expect, it } from 'vitest';
import { arr, compareValues, num, obj, set, str, toJs, type Value } from '../src/index.js';
import { sortInPlace } from '../src/value/small-sort.js';
import { type SeededRandom, seededRandom, testSeed } from './seeded-random.js';

/**
 * OPA's order of objects: entries in key order, compared key then value, a shorter object
 * before a longer one that it prefixes. `compareValues` takes a short cut for small objects
 * with string keys (no sorting of entries); this is the order written out the long way, which
 * the short cut must agree with in sign on every pair.
 */
function referenceCompare(a: Value, b: Value): number {
  if (a.kind !== 'object' || b.kind !== 'object') return compareValues(a, b);
  const byKey = (x: readonly [Value, Value], y: readonly [Value, Value]): number =>
    referenceCompare(x[0], y[0]);
  const ea = [...a.entries.values()].sort(byKey);
  const eb = [...b.entries.values()].sort(byKey);
  for (let i = 0; i < Math.min(ea.length, eb.length); i++) {
    const [ka, va] = ea[i] as readonly [Value, Value];
    const [kb, vb] = eb[i] as readonly [Value, Value];
    const c = referenceCompare(ka, kb) || referenceCompare(va, vb);
    if (c !== 0) return c;
  }
  return ea.length - eb.length;
}

// Keys that sort differently by code unit than by anything else: a quote, a backslash, an
// empty key, a prefix of another, a capital, a character past the BMP.
const KEYS = ['', 'a', 'ab', 'b', 'B', 'code', 'message', 'severity', '"', '\\', 'é', '😀', 'a"'];

function randomValue(random: SeededRandom, depth: number): Value {
  switch (random.int(depth > 1 ? 3 : 6)) {
    case 0:
      return str(random.pick(KEYS));
    case 1:
      return num(random.int(3));
    case 2:
      return str(random.pick(['high', 'low', 'x']));
    case 3:
      return randomObject(random, depth + 1, random.int(2) === 0 ? 'string' : 'mixed');
    case 4:
      return arr([randomValue(random, depth + 1)]);
    default:
      return set([randomValue(random, depth + 1), randomValue(random, depth + 1)]);
  }
}

function randomObject(random: SeededRandom, depth: number, keys: 'string' | 'mixed'): Value {
  const size = random.int(random.int(4) === 0 ? 20 : 5);
  const entries: [Value, Value][] = [];
  for (let i = 0; i < size; i++) {
    const key =
      keys === 'mixed' && random.int(4) === 0 ? num(random.int(3)) : str(random.pick(KEYS));
    entries.push([key, randomValue(random, depth)]);
  }
  return obj(entries);
}

describe('the order of values', () => {
  it('compares objects as OPA orders them, small string-keyed ones included', () => {
    const random = seededRandom(testSeed(16));
    for (let i = 0; i < 3000; i++) {
      const keys = random.int(3) === 0 ? 'mixed' : 'string';
      const a = randomObject(random, 0, keys);
      // Near neighbours too: a copy with one value changed or one entry more.
      const b = random.int(2) === 0 ? randomObject(random, 0, keys) : nearly(random, a);
      const expected = Math.sign(referenceCompare(a, b));
      expect(Math.sign(compareValues(a, b)), `seed ${random.seed}, pair ${i}`).toBe(expected);
      expect(Math.sign(compareValues(b, a)) + 0).toBe(-expected + 0); // + 0: no -0
      expect(compareValues(a, a)).toBe(0);
    }
  });

  it('orders the reasons of a decision by code, then message, then severity', () => {
    const reason = (code: string, message: string, severity: string): Value =>
      obj([
        [str('severity'), str(severity)],
        [str('message'), str(message)],
        [str('code'), str(code)],
      ]);
    const reasons = set([
      reason('pii.email', '1 e-mail address', 'medium'),
      reason('pii.email', '1 e-mail address', 'high'),
      reason('pii.card', '2 cards', 'high'),
      reason('pii.email', '2 e-mail addresses', 'medium'),
    ]);
    expect(toJs(reasons)).toEqual([
      { code: 'pii.card', message: '2 cards', severity: 'high' },
      { code: 'pii.email', message: '1 e-mail address', severity: 'high' },
      { code: 'pii.email', message: '1 e-mail address', severity: 'medium' },
      { code: 'pii.email', message: '2 e-mail addresses', severity: 'medium' },
    ]);
  });

  it('sorts short and long arrays as Array.prototype.sort does, equal items in their order', () => {
    const random = seededRandom(testSeed(17));
    for (let i = 0; i < 2000; i++) {
      const items = Array.from({ length: random.int(40) }, (_, at) => ({
        rank: random.int(5),
        at,
      }));
      const byRank = (x: { rank: number }, y: { rank: number }): number => x.rank - y.rank;
      expect(sortInPlace([...items], byRank), `seed ${random.seed}, array ${i}`).toEqual(
        [...items].sort(byRank),
      );
    }
  });
});

/** `value` with one member's value replaced, or one member added. */
function nearly(random: SeededRandom, value: Value): Value {
  if (value.kind !== 'object') return value;
  const entries = [...value.entries.values()].map(([k, v]) => [k, v] as [Value, Value]);
  if (entries.length > 0 && random.int(2) === 0) {
    const at = random.int(entries.length);
    entries[at] = [(entries[at] as [Value, Value])[0], randomValue(random, 1)];
  } else {
    entries.push([str(random.pick(KEYS)), randomValue(random, 1)]);
  }
  return obj(entries);
}
