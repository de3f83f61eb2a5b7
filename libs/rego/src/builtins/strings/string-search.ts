/**
 * Substring search for long subjects (prompts) anchored on the needle's rarest character.
 * V8's `indexOf` scans for the needle's first character, so `token` or `eyJ` in prose stops
 * at every `t` or `e`; searching for the rare tail (`ken`, `J`) first skips most of the text.
 */

/** Below this length a plain `indexOf` is as fast: the plan lookup would dominate. */
const MIN_SUBJECT = 256;
/** Candidates whose prefix does not match before the plain search takes over (bounds the worst case). */
const MAX_MISSES = 16;
const MAX_PLANS = 1000;

/**
 * Characters from the most to the least frequent in English prose; anything not listed
 * (capitals, digits, most punctuation) counts as rarer than all of them.
 */
const BY_FREQUENCY = ' etaoinsrhldcumfpgwybvkxjqz';

function rarity(code: number): number {
  if (code === 0x2e || code === 0x2c) return 15; // '.' and ',' are common in prose
  const rank = code < 0x80 ? BY_FREQUENCY.indexOf(String.fromCharCode(code)) : -1;
  return rank >= 0 ? rank : BY_FREQUENCY.length;
}

/**
 * V8 searches for patterns of 7 or more characters with Boyer-Moore-Horspool, whose tables
 * it builds on every call: for one search in a few KB that set-up costs more than it saves.
 */
const MAX_PIECE = 6;

/**
 * How to search for a needle: for `piece`, at most MAX_PIECE characters of it from its
 * rarest character (`at`), then check the whole needle around each occurrence.
 */
interface Plan {
  readonly at: number;
  readonly piece: string;
}

const plans = new Map<string, Plan>();

function planFor(needle: string): Plan {
  let plan = plans.get(needle);
  if (plan === undefined) {
    let at = 0;
    let best = rarity(needle.charCodeAt(0));
    for (let i = 1; i < needle.length; i++) {
      const r = rarity(needle.charCodeAt(i));
      if (r > best) {
        best = r;
        at = i;
      }
    }
    plan = { at, piece: needle.slice(at, at + MAX_PIECE) };
    if (plans.size >= MAX_PLANS) plans.clear();
    plans.set(needle, plan);
  }
  return plan;
}

/** `s.indexOf(needle)`, in UTF-16 units, with the same result. */
export function searchIndex(s: string, needle: string): number {
  if (s.length < MIN_SUBJECT || needle.length < 2 || needle.length > s.length)
    return s.indexOf(needle);
  const plan = planFor(needle);
  if (plan.piece.length === needle.length) return s.indexOf(needle);
  let from = plan.at;
  for (let misses = 0; misses < MAX_MISSES; misses++) {
    const found = s.indexOf(plan.piece, from);
    if (found < 0) return -1;
    const start = found - plan.at;
    if (s.startsWith(needle, start)) return start;
    from = found + 1;
  }
  return s.indexOf(needle, from - plan.at);
}

/** `s.includes(needle)`. */
export function searchIncludes(s: string, needle: string): boolean {
  return searchIndex(s, needle) >= 0;
}
