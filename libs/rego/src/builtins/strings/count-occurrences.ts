/**
 * Go's `strings.Count` on UTF-16 strings. Policies count several characters of one prompt,
 * one `strings.count` each (its ten digits): `indexOf` costs a call per occurrence, so a
 * prompt full of them costs many times one pass over it. Once an ASCII character turns out
 * frequent, one pass tallies every ASCII character of the subject, and the counts of the
 * same subject after it read the tally. Prose, with few of each, keeps `indexOf`'s scans.
 */
import { runeCount } from './runes.js';

/** Occurrences found with `indexOf` after which one pass that tallies them all is cheaper. */
const MANY = 256;

/** The subject of the last tally, and the tally. */
let lastSubject: string | undefined;
let lastTally: Uint32Array | undefined;

function tallyAscii(s: string): Uint32Array {
  const tally = new Uint32Array(128);
  for (let i = 0; i < s.length; i++) {
    const code = s.charCodeAt(i);
    if (code < 128) tally[code] = (tally[code] as number) + 1;
  }
  return tally;
}

/** Non-overlapping occurrences of `sub` in `s`; the rune count plus one for `''`, as in Go. */
export function countOccurrences(s: string, sub: string): number {
  if (sub === '') return runeCount(s) + 1;
  const ascii = sub.length === 1 && sub.charCodeAt(0) < 128;
  if (ascii && lastTally !== undefined && s === lastSubject) {
    return lastTally[sub.charCodeAt(0)] as number;
  }
  let n = 0;
  let i = s.indexOf(sub);
  while (i >= 0) {
    n++;
    if (n === MANY && ascii) {
      lastSubject = s;
      lastTally = tallyAscii(s);
      return lastTally[sub.charCodeAt(0)] as number;
    }
    i = s.indexOf(sub, i + sub.length);
  }
  return n;
}
