import { describe, expect, it } from 'vitest';
import { fromJs } from '../src/value/index.js';
import { call, callError, callValue } from './builtin-harness.js';
import { seededRandom, testSeed } from './seeded-random.js';

/** strings.replace_n as Go's Replacer defines it, one position and one pattern at a time. */
function reference(patterns: Record<string, string>, s: string): string {
  const pairs = Object.entries(patterns)
    .filter(([old]) => old !== '')
    .sort(([a], [b]) => (a < b ? -1 : 1));
  let out = '';
  let i = 0;
  while (i < s.length) {
    const hit = pairs.find(([old]) => s.startsWith(old, i));
    if (hit === undefined) {
      out += s[i];
      i++;
    } else {
      out += hit[1];
      i += hit[0].length;
    }
  }
  return out;
}

describe('strings.replace_n', () => {
  it('replaces, at each position, the first pattern in key order, then resumes after it', () => {
    expect(call('strings.replace_n', { a: '1', ab: '2' }, 'abab')).toBe('1b1b');
    expect(call('strings.replace_n', { ab: '2', b: '3' }, 'abab')).toBe('22');
    expect(call('strings.replace_n', { aa: 'x' }, 'aaa')).toBe('xa');
    expect(call('strings.replace_n', { a: 'aa' }, 'aa')).toBe('aaaa');
  });

  it('returns the subject unchanged when no pattern occurs, and maps every letter of an IBAN', () => {
    const letters = Object.fromEntries(
      [...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'].map((letter, i) => [letter, String(10 + i)]),
    );
    expect(call('strings.replace_n', letters, '1234')).toBe('1234');
    expect(call('strings.replace_n', letters, 'WEST12345698765432GB82')).toBe(
      '3214282912345698765432161182',
    );
  });

  it('matches patterns that start with non-ASCII and astral characters', () => {
    expect(call('strings.replace_n', { é: 'e', '😀x': 'smile', '😀y': ':)' }, 'é😀y😀x😀')).toBe(
      'e:)smile😀',
    );
  });

  it('gives the same result for one patterns object used many times', () => {
    const patterns = fromJs({ x: 'y', yy: 'z' });
    for (const [s, expected] of [
      ['xx', 'yy'],
      ['yyx', 'zy'],
      ['', ''],
    ] as const) {
      expect(callValue('strings.replace_n', [patterns, fromJs(s)])).toEqual(fromJs(expected));
    }
  });

  it('refuses keys and values that are not strings, naming the first in key order', () => {
    expect(callError('strings.replace_n', { a: 1 }, 'a')).toBe(
      'strings.replace_n: operand 1 must be object with string values but got number value',
    );
    expect(callError('strings.replace_n', 'a', 'a')).toMatch(
      /^strings\.replace_n: operand 1 must be object/,
    );
  });

  it('agrees with the one-pattern-at-a-time definition on random patterns and subjects', () => {
    const random = seededRandom(testSeed(20261205));
    const alphabet = ['a', 'b', 'ab', 'é', '😀', '\ud83d', 'c'];
    for (let round = 0; round < 500; round++) {
      const patterns: Record<string, string> = {};
      for (let k = random.int(5); k >= 0; k--) {
        const key = Array.from({ length: 1 + random.int(3) }, () => random.pick(alphabet)).join('');
        patterns[key] = Array.from({ length: random.int(3) }, () => random.pick(alphabet)).join('');
      }
      const s = Array.from({ length: random.int(12) }, () => random.pick(alphabet)).join('');
      expect(call('strings.replace_n', patterns, s), `seed ${random.seed}, round ${round}`).toBe(
        reference(patterns, s),
      );
    }
  });
});
