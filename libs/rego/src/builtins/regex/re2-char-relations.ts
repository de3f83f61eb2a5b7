/**
 * Relations between the single-character matchers of a translated pattern (literals and
 * classes): whether two can match the same character, whether one's characters are all the
 * other's. The backtracking and linearity checks are sound only if these never claim a
 * relation that does not hold, so what cannot be decided exactly is answered "no relation".
 */
import type { CharNode } from './re2-node.js';

const BMP_LAST = 0xffff;
/**
 * Stands for every astral code point: a class from a pattern without `\p{…}` or astral
 * literals holds all of them or none (negated classes, `.`, `\S`, `\W`, `\D` hold all).
 */
const ASTRAL_SAMPLE = '\u{1F600}';

const disjointCache = new Map<string, boolean>();
const subsetCache = new Map<string, boolean>();

function key(a: RegExp, b: RegExp): string {
  return `${a.source}\u0000${a.flags}\u0000${b.source}\u0000${b.flags}`;
}

/** Whether `test` holds for every BMP code unit (lone surrogates included), cached by key. */
function everyBmp(cache: Map<string, boolean>, k: string, test: (ch: string) => boolean): boolean {
  const cached = cache.get(k);
  if (cached !== undefined) return cached;
  let holds = true;
  for (let cp = 0; cp <= BMP_LAST && holds; cp++) holds = test(String.fromCharCode(cp));
  cache.set(k, holds);
  return holds;
}

/**
 * Whether no character matches both. Exact for a literal on either side; for two classes,
 * checked over the BMP and one astral sample, which decides only for patterns that need no
 * Unicode tables (`unicodeOnly` false); otherwise they are assumed to overlap.
 */
export function charsDisjoint(a: CharNode, b: CharNode, unicodeOnly: boolean): boolean {
  if (a.literal !== undefined) return !b.probe.test(String.fromCodePoint(a.literal));
  if (b.literal !== undefined) return !a.probe.test(String.fromCodePoint(b.literal));
  if (unicodeOnly) return false;
  if (a.probe.test(ASTRAL_SAMPLE) && b.probe.test(ASTRAL_SAMPLE)) return false;
  return everyBmp(
    disjointCache,
    key(a.probe, b.probe),
    (ch) => !(a.probe.test(ch) && b.probe.test(ch)),
  );
}

/** Whether every character `inner` matches, `outer` matches too (same exactness as above). */
export function charsWithin(inner: CharNode, outer: CharNode, unicodeOnly: boolean): boolean {
  if (inner.literal !== undefined) return outer.probe.test(String.fromCodePoint(inner.literal));
  if (unicodeOnly) return false;
  if (inner.probe.test(ASTRAL_SAMPLE) && !outer.probe.test(ASTRAL_SAMPLE)) return false;
  return everyBmp(
    subsetCache,
    key(inner.probe, outer.probe),
    (ch) => !inner.probe.test(ch) || outer.probe.test(ch),
  );
}
