import { describe, expect, it } from 'vitest';
import { searchIncludes, searchIndex } from '../src/builtins/strings/string-search.js';
import { call } from './builtin-harness.js';
import { seededRandom, testSeed } from './seeded-random.js';

/**
 * Prose of common lowercase letters: the search shortcut only runs on subjects of 256 UTF-16
 * units or more, and probes from the needle's rarest character, so the cases below put rare
 * characters (capitals, digits, punctuation, emoji) in needles and pad with this.
 */
const PROSE = 'the rain in spain stays mainly on the plain and the sea is near here ';

function pad(length: number): string {
  return PROSE.repeat(Math.ceil(length / PROSE.length)).slice(0, length);
}

/** `pad` around `middle`, long enough for the shortcut. */
function around(before: string, middle: string, after = ''): string {
  return `${before}${pad(300)}${middle}${pad(40)}${after}`;
}

/** What `indexof` returns: the code point offset of the first occurrence, or -1. */
function codePointIndexOf(haystack: string, needle: string): number {
  const at = haystack.indexOf(needle);
  return at < 0 ? at : Array.from(haystack.slice(0, at)).length;
}

interface Case {
  readonly note: string;
  readonly haystack: string;
  readonly needle: string;
}

const decoys = (n: number): string => 'Q the '.repeat(n);

const CASES: readonly Case[] = [
  { note: 'empty needle', haystack: around('', 'x'), needle: '' },
  { note: 'empty needle in an empty subject', haystack: '', needle: '' },
  { note: 'needle longer than a short subject', haystack: 'abc', needle: 'abcd' },
  { note: 'needle one longer than a long subject', haystack: pad(300), needle: `${pad(300)}x` },
  { note: 'needle equal to a long subject', haystack: `${pad(299)}Z`, needle: `${pad(299)}Z` },
  {
    note: 'needle at the start, rare character later',
    haystack: `toKen${pad(300)}`,
    needle: 'toKen',
  },
  { note: 'needle at the end', haystack: `${pad(300)}toKen`, needle: 'toKen' },
  { note: 'needle cut off by the end', haystack: `${pad(300)}toKe`, needle: 'toKen' },
  {
    note: 'rare character before where the needle could start',
    haystack: `Z${pad(300)}aaZ`,
    needle: 'aaZ',
  },
  { note: 'rare character at 1, needle needs it at 2', haystack: `bZ${pad(300)}`, needle: 'abZ' },
  {
    note: 'repeated rare characters in the needle',
    haystack: around('QxQ QxQy ', 'QxQyQ'),
    needle: 'QxQyQ',
  },
  { note: 'one character, rare', haystack: around('', 'Q'), needle: 'Q' },
  { note: 'one character, common', haystack: around('', 'Q'), needle: 'e' },
  { note: 'one character, absent', haystack: around('', ''), needle: 'X' },
  { note: 'six characters, rarest first', haystack: around('', 'Xthere'), needle: 'Xthere' },
  { note: 'six characters, rarest last', haystack: around('', 'thereX'), needle: 'thereX' },
  {
    note: 'six characters, rarest in the middle',
    haystack: around('', 'theXre'),
    needle: 'theXre',
  },
  {
    note: 'seven characters, rarest first',
    haystack: around('Xsecre ', 'Xsecret'),
    needle: 'Xsecret',
  },
  {
    note: 'seven characters, rarest last',
    haystack: around('secreX ', 'secretX'),
    needle: 'secretX',
  },
  {
    note: 'seven characters, only the first six present',
    haystack: around('Xsecre ', 'Xsecrex'),
    needle: 'Xsecret',
  },
  {
    note: 'twenty characters, rarest in the middle, the probed six present alone first',
    haystack: around('Jump over the lazy ', 'the quick fox Jumps o'),
    needle: 'the quick fox Jumps ',
  },
  {
    note: 'twenty characters differing only in the last one',
    haystack: around('the quick fox Jumpsx ', 'the quick fox Jumps!'),
    needle: 'the quick fox Jumps!',
  },
  {
    note: 'astral characters in the subject before the needle',
    haystack: around('😀😀', 'key'),
    needle: 'key',
  },
  { note: 'astral character in the needle', haystack: around('😀', 'a😀b'), needle: 'a😀b' },
  { note: 'a whole surrogate pair as the needle', haystack: around('', '😀'), needle: '😀' },
  {
    note: 'astral needle absent, other astral present',
    haystack: around('😀', '😁'),
    needle: '😂',
  },
  { note: 'astral characters both sides', haystack: around('𝔘𝔫', 'x𝔘y', '𝔘'), needle: 'x𝔘y' },
  { note: 'overlapping occurrences', haystack: around('', 'aQaQaQb'), needle: 'aQaQb' },
  { note: 'self-overlapping needle', haystack: around('', 'QQQQQ'), needle: 'QQQ' },
  { note: 'first of several occurrences', haystack: around('eyJ', 'eyJ', 'eyJ'), needle: 'eyJ' },
  {
    note: '15 false candidates then the needle',
    haystack: around(decoys(15), 'keyQ'),
    needle: 'keyQ',
  },
  {
    note: '16 false candidates then the needle',
    haystack: around(decoys(16), 'keyQ'),
    needle: 'keyQ',
  },
  {
    note: '17 false candidates then the needle',
    haystack: around(decoys(17), 'keyQ'),
    needle: 'keyQ',
  },
  { note: '40 false candidates, no needle', haystack: around(decoys(40), ''), needle: 'keyQ' },
  {
    note: 'needle right after 16 false candidates, overlapping the last',
    haystack: `${decoys(15)}Q keyQ${pad(300)}`,
    needle: ' keyQ',
  },
  {
    note: 'rarest character first, the needle starting right after the 16th false candidate',
    haystack: `${'Q'.repeat(23)}x${pad(300)}`,
    needle: 'QQQQQQQx',
  },
  {
    note: 'rarest character first, the needle starting at the 16th false candidate',
    haystack: `${'Q'.repeat(22)}x${pad(300)}`,
    needle: 'QQQQQQQx',
  },
  {
    note: 'rarest character first, the needle starting two after the 16th false candidate',
    haystack: `${'Q'.repeat(24)}x${pad(300)}`,
    needle: 'QQQQQQQx',
  },
  {
    note: 'needle of punctuation ranked common',
    haystack: around(', .', 'a., b'),
    needle: 'a., b',
  },
  { note: 'needle of spaces', haystack: around('', '     '), needle: '    ' },
];

describe('substring search shortcut', () => {
  it('returns what String.prototype.indexOf returns', () => {
    const wrong = CASES.filter(
      (c) => searchIndex(c.haystack, c.needle) !== c.haystack.indexOf(c.needle),
    ).map(
      (c) => `${c.note}: ${searchIndex(c.haystack, c.needle)} != ${c.haystack.indexOf(c.needle)}`,
    );
    expect(wrong).toEqual([]);
  });

  it('finds the needle where the case says it is, so the cases test what their notes say', () => {
    expect(searchIndex(`Z${pad(300)}aaZ`, 'aaZ')).toBe(301);
    expect(searchIndex(`bZ${pad(300)}`, 'abZ')).toBe(-1);
    expect(searchIndex(around(decoys(17), 'keyQ'), 'keyQ')).toBe(decoys(17).length + 300);
    expect(searchIndex(`${pad(300)}toKen`, 'toKen')).toBe(300);
  });

  it('gives indexof in code points and contains as includes', () => {
    const wrong: string[] = [];
    for (const c of CASES) {
      if (c.needle === '') continue; // indexof refuses an empty needle
      const index = call('indexof', c.haystack, c.needle);
      if (index !== codePointIndexOf(c.haystack, c.needle))
        wrong.push(
          `indexof, ${c.note}: ${String(index)} != ${codePointIndexOf(c.haystack, c.needle)}`,
        );
      const contains = call('contains', c.haystack, c.needle);
      if (contains !== c.haystack.includes(c.needle))
        wrong.push(`contains, ${c.note}: ${String(contains)}`);
      if (searchIncludes(c.haystack, c.needle) !== c.haystack.includes(c.needle))
        wrong.push(`searchIncludes, ${c.note}`);
    }
    expect(wrong).toEqual([]);
    expect(call('indexof', around('😀😀', 'key'), 'key')).toBe(302);
    expect(call('contains', around('', ''), '')).toBe(true);
  });

  it('agrees with indexOf on thousands of random subjects over a small alphabet', () => {
    const random = seededRandom(testSeed(0x5eed_1234));
    // Few letters, so needles occur often and partly; capitals, punctuation and emoji are the rare ones.
    const alphabet = ['a', 'a', 'e', 'e', 't', ' ', 'b', 'Q', 'K', '.', '😀'];
    const wrong: string[] = [];
    for (let n = 0; n < 3000 && wrong.length < 5; n++) {
      const points: string[] = [];
      const size = 250 + random.int(150);
      for (let i = 0; i < size; i++) points.push(random.pick(alphabet));
      const haystack = points.join('');
      const length = 1 + random.int(20);
      let needle: string;
      if (random.int(2) === 0) {
        // A slice of the subject, sometimes with one character changed: found, or nearly.
        const from = random.int(points.length - length);
        const slice = points.slice(from, from + length);
        if (random.int(3) === 0) slice[random.int(length)] = random.pick(alphabet);
        needle = slice.join('');
      } else {
        needle = Array.from({ length }, () => random.pick(['a', 'e', 'Q', ' '])).join('');
      }
      const got = [
        searchIndex(haystack, needle),
        call('indexof', haystack, needle),
        call('contains', haystack, needle),
      ];
      const want = [
        haystack.indexOf(needle),
        codePointIndexOf(haystack, needle),
        haystack.includes(needle),
      ];
      if (JSON.stringify(got) !== JSON.stringify(want))
        wrong.push(
          `seed ${random.seed} case ${n}: needle ${JSON.stringify(needle)} in ${JSON.stringify(haystack)}: ${JSON.stringify(got)} != ${JSON.stringify(want)}`,
        );
    }
    expect(wrong, `seed ${random.seed} (replay with TEST_SEED=${random.seed})`).toEqual([]);
  });
});
