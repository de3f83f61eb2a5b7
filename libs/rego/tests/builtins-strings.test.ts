import { describe, expect, it } from 'vitest';
import { call, callError } from './builtin-harness.js';

describe('string builtins', () => {
  it('join arrays and sets of strings with concat', () => {
    expect(call('concat', ', ', ['Hello', 'world'])).toBe('Hello, world');
    expect(call('concat', '-', new Set(['b', 'a']))).toBe('a-b');
    expect(callError('concat', ',', [1])).toMatch(
      /^concat: operand 2 must be array or set of strings/,
    );
  });

  it('test containment, prefixes and suffixes', () => {
    expect(call('contains', 'Hello, world', ', ')).toBe(true);
    expect(call('startswith', 'abc', 'ab')).toBe(true);
    expect(call('endswith', 'abc', 'bc')).toBe(true);
    expect(call('strings.any_prefix_match', ['x', 'foo/bar'], ['foo/', 'baz'])).toBe(true);
    expect(call('strings.any_suffix_match', 'a.txt', new Set(['.md']))).toBe(false);
  });

  it('map case per code point, as Go does (final sigma stays σ)', () => {
    expect(call('lower', 'AbC')).toBe('abc');
    expect(call('upper', 'straße')).toBe('STRAßE');
    expect(call('lower', 'ΟΔΥΣΣΕΥΣ')).toBe('οδυσσευσ');
    expect(call('lower', 'İSTANBUL')).toBe('istanbul');
  });

  it('split, with an empty delimiter splitting into code points', () => {
    expect(call('split', 'a,b,,c', ',')).toEqual(['a', 'b', '', 'c']);
    expect(call('split', 'a😀b', '')).toEqual(['a', '😀', 'b']);
    expect(call('split', '', '')).toEqual([]);
  });

  it('keep the first or last n parts with strings.split_n', () => {
    expect(call('strings.split_n', 'a.b.c.d', '.', 2)).toEqual(['a', 'b']);
    expect(call('strings.split_n', 'a.b.c.d', '.', -2)).toEqual(['c', 'd']);
    expect(call('strings.split_n', 'a.b.c.d', '.', 10)).toEqual(['a', 'b', 'c', 'd']);
    expect(call('strings.split_n', 'a.b.c.d', '.', 0)).toEqual([]);
    expect(call('strings.split_n', 'abc', '', -2)).toEqual(['b', 'c']);
    expect(call('strings.split_n', '', '.', 2)).toEqual(['']);
    expect(callError('strings.split_n', 'a.b', '.', 1.5)).toBe(
      'strings.split_n: operand 3 must be integer number but got floating-point number',
    );
  });

  it('replace all occurrences, and several patterns at once', () => {
    expect(call('replace', 'aaa', 'a', 'b')).toBe('bbb');
    expect(call('replace', 'ab', '', '-')).toBe('-a-b-');
    expect(call('strings.replace_n', { a: '1', ab: '2' }, 'abab')).toBe('1b1b');
  });

  it('trim cutsets, prefixes, suffixes and space', () => {
    expect(call('trim', 'xxhixx', 'x')).toBe('hi');
    expect(call('trim_left', 'xyhi', 'yx')).toBe('hi');
    expect(call('trim_right', 'hi!?', '?!')).toBe('hi');
    expect(call('trim_prefix', 'prefix-x', 'prefix-')).toBe('x');
    expect(call('trim_suffix', 'x.txt', '.txt')).toBe('x');
    expect(call('trim_space', ' \t x \n')).toBe('x');
    expect(call('trim_space', '\u0085x\u00a0')).toBe('x');
    expect(call('trim_space', '\ufeffx')).toBe('\ufeffx');
  });

  it('index and cut by code point, not UTF-16 unit', () => {
    expect(call('indexof', 'skön var våren', 'vår')).toBe(9);
    expect(call('indexof', '😀x', 'x')).toBe(1);
    expect(call('indexof', 'abc', 'z')).toBe(-1);
    expect(call('indexof_n', 'aaa', 'aa')).toEqual([0, 1]);
    expect(call('substring', 'h😀llo', 1, 3)).toBe('😀ll');
    expect(call('substring', 'hello', 1, -1)).toBe('ello');
    expect(call('substring', 'hello', 9, 2)).toBe('');
    expect(call('strings.reverse', 'a😀b')).toBe('b😀a');
  });

  it('fail on an empty search string and a negative offset, as OPA does', () => {
    expect(callError('indexof', 'abc', '')).toBe('indexof: empty search character');
    expect(callError('substring', 'abc', -1, 1)).toBe('substring: negative offset');
  });

  it('count non-overlapping occurrences', () => {
    expect(call('strings.count', 'cheese', 'e')).toBe(3);
    expect(call('strings.count', 'five', '')).toBe(5);
  });

  it('count the characters of long subjects full of them, subject after subject', () => {
    // Past a few hundred occurrences the counts come from a tally of the subject: each
    // count must still be that subject's, also for a next subject of the same length.
    const first = `${'12345678 x '.repeat(2000)}9😀0`;
    const second = `${'00000000 y '.repeat(2000)}1😀1`;
    const naive = (s: string, c: string) => s.split(c).length - 1;
    for (const subject of [first, second, first]) {
      for (const c of ['0', '1', '5', '9', 'x', ' ', 'y', '12', '😀']) {
        expect(call('strings.count', subject, c), `${c} in ${subject.slice(0, 11)}…`).toBe(
          naive(subject, c),
        );
      }
    }
  });

  it('formats integers in bases 2, 8, 10 and 16, truncating floats', () => {
    expect(call('format_int', 10, 2)).toBe('1010');
    expect(call('format_int', -10.765, 16)).toBe('-a');
    expect(callError('format_int', 10, 4)).toBe(
      'format_int: operand 2 must be one of {2, 8, 10, 16}',
    );
  });

  it('converts to numbers, keeping big integers exact', () => {
    expect(call('to_number', '12345678901234567890')).toBe(12345678901234567890n);
    expect(call('to_number', '-1.5')).toBe(-1.5);
    expect(call('to_number', true)).toBe(1);
    expect(call('to_number', null)).toBe(0);
    expect(callError('to_number', 'abc')).toMatch(/^to_number: could not parse string as number/);
  });
});

describe('sprintf', () => {
  it('formats strings, integers and composite values as OPA does', () => {
    expect(call('sprintf', 'User %s has %d items', ['alice', 42])).toBe('User alice has 42 items');
    expect(call('sprintf', '%v', [{ key: 'value' }])).toBe('{"key": "value"}');
    expect(call('sprintf', '%v %v', [new Set([2, 1]), [null, true]])).toBe('{1, 2} [null, true]');
    expect(call('sprintf', '100%%', [])).toBe('100%');
  });

  it('follows Go for floats: %f has six decimals, %v the shortest form', () => {
    expect(call('sprintf', '%f|%.2f|%v|%v|%e', [3.25, 2.71555, 1.5, 1234567.5, 1234.5678])).toBe(
      '3.250000|2.72|1.5|1.2345675e+06|1.234568e+03',
    );
  });

  it('supports width, flags and other verbs', () => {
    expect(call('sprintf', '[%5d][%-5d][%05d][%+d]', [42, 42, 42, 42])).toBe(
      '[   42][42   ][00042][+42]',
    );
    expect(call('sprintf', '%x %X %o %b %q %t', [255, 255, 64, 5, 'a"b', true])).toBe(
      'ff FF 100 101 "a\\"b" %!t(string=true)',
    );
    expect(call('sprintf', '%8.3s|', ['abcdef'])).toBe('     abc|');
  });

  it('prints big integers in full, also with %s as Go does for big.Int', () => {
    expect(call('sprintf', '%d', [12345678901234567890n])).toBe('12345678901234567890');
    expect(call('sprintf', '%s', [123456789123456789123n])).toBe('123456789123456789123');
    expect(call('sprintf', '%s', [42])).toBe('%!s(int=42)');
  });

  it('refuses widths that would build huge strings', () => {
    expect(callError('sprintf', '%1000000000d', [1])).toMatch(
      /^sprintf: width or precision 1000000000 exceeds/,
    );
  });

  it('marks missing, extra and mismatched operands as Go does instead of failing', () => {
    expect(call('sprintf', '%s %d', ['x'])).toBe('x %!d(MISSING)');
    expect(call('sprintf', '%s', ['x', 1])).toBe('x%!(EXTRA int=1)');
    expect(call('sprintf', '%d', ['x'])).toBe('%!d(string=x)');
  });
});
