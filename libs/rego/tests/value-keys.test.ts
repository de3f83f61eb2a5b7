import { describe, expect, it } from 'vitest';
import type { Value } from '../src/value/index.js';
import { arr, compareValues, keyOf, num, obj, set, str } from '../src/value/index.js';
import { seededRandom } from './seeded-random.js';

/**
 * Sets and objects are keyed by `keyOf`, so two values must get the same key exactly when
 * they are equal: a collision would merge two members of a set, a miss would keep one twice.
 * Strings nested in arrays, sets and objects are the risk: their text may hold the
 * separators, quotes, digits and brackets the keys of their containers are written with.
 */
const TRICKY_STRINGS = [
  '',
  'a',
  'b',
  'a,b',
  'a,"b',
  'a",:"b',
  ']',
  '"a',
  '1"a',
  '2"a",',
  ':',
  'a:1',
  '<',
  '>',
  '[',
  ']',
  '{',
  '}',
  '#1',
  'n',
  't',
  '3"abc',
  '\\"',
  'é,ü',
];

function randomValue(random: ReturnType<typeof seededRandom>, depth: number): Value {
  const kind = random.int(depth > 2 ? 3 : 7);
  switch (kind) {
    case 0:
      return str(random.pick(TRICKY_STRINGS));
    case 1:
      return num(random.int(3));
    case 2:
      return str(random.pick(TRICKY_STRINGS) + random.pick(TRICKY_STRINGS));
    case 3:
      return arr(Array.from({ length: random.int(3) }, () => randomValue(random, depth + 1)));
    case 4:
      return set(Array.from({ length: random.int(3) }, () => randomValue(random, depth + 1)));
    case 5:
      return obj(
        Array.from({ length: random.int(3) }, () => [
          str(random.pick(TRICKY_STRINGS)),
          randomValue(random, depth + 1),
        ]),
      );
    default:
      return obj(
        Array.from({ length: random.int(2) + 1 }, () => [
          randomValue(random, depth + 1),
          randomValue(random, depth + 1),
        ]),
      );
  }
}

describe('canonical keys', () => {
  it('are equal exactly when the values are, for strings holding the separators', () => {
    const random = seededRandom(20261206);
    const values = Array.from({ length: 1500 }, () => randomValue(random, 0));
    for (let i = 0; i < values.length; i++) {
      for (let j = i; j < values.length; j += 7) {
        const [a, b] = [values[i]!, values[j]!];
        const equal = compareValues(a, b) === 0;
        if ((keyOf(a) === keyOf(b)) !== equal) {
          expect.fail(`keys ${keyOf(a)} and ${keyOf(b)} disagree with equality (${equal})`);
        }
      }
    }
  });

  it('tell apart arrays whose strings would join to the same text', () => {
    const pairs: [Value, Value][] = [
      [arr([str('a,"b')]), arr([str('a'), str('b')])],
      [obj([[str('a",:"b'), num(1)]]), obj([[str('a'), str('b":1')]])],
      [arr([str('1"a')]), arr([num(1), str('a')])],
      [arr([str('3"abc')]), arr([str('abc')])],
      [obj([[str('a:1'), num(2)]]), obj([[str('a'), str('1:2')]])],
      [set([str('a,b')]), set([str('a'), str('b')])],
    ];
    for (const [a, b] of pairs) expect(keyOf(a)).not.toBe(keyOf(b));
  });
});
