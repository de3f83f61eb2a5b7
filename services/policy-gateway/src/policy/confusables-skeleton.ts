/**
 * The confusables skeleton of Unicode TR39 (UTS #39, section 4): two strings that look alike
 * have the same skeleton, so a phrase spelt with a Cyrillic `о` or a Greek `ι` compares equal
 * to the plain one. The mapping is Unicode's own `confusables.txt` (13.0), as the `unhomoglyph`
 * package ships it (MIT; read once at start), not a table of this project's.
 *
 * The skeleton is taken of folded text (`prompt-folding.ts`), and departs from TR39's in two
 * ways a detector needs: combining marks are dropped (`ignóre` reads `ignore`), and the result
 * is lower-cased again (confusables.txt maps `0` to `O`). What a skeleton is not meant to be is
 * readable: TR39 maps `m` to `rn`, `1` and `|` to `l`, `0` to `o`, `"` to `''`, so a pattern
 * matched against it spells its words the same way (`systern prornpt`).
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const CONFUSABLES: Readonly<Record<string, string>> = require('unhomoglyph/data.json');

const MARKS = /\p{M}+/gu;
const NON_ASCII = /\P{ASCII}/u;

/** Prototypes as the skeleton writes them: decomposed, without marks, lower-cased. */
const PROTOTYPES: ReadonlyMap<string, string> = new Map(
  Object.entries(CONFUSABLES).map(([source, prototype]) => [
    source,
    prototype.normalize('NFD').replace(MARKS, '').toLowerCase(),
  ]),
);

// ASCII characters whose prototype is ASCII too (m → rn, 0 → o, 1 → l, | → l, ` and " to
// quotes): `%` → `º/₀` is left out, so that plain ASCII text keeps an ASCII skeleton, which
// the regex engines search faster, and no phrase detector reads a percent sign. Applied one
// after the other with `replaceAll` (far cheaper than a callback per match), which is exact
// because no prototype holds a source.
const ASCII_MAPPINGS: readonly (readonly [string, string])[] = [...PROTOTYPES].filter(
  ([source, prototype]) => !NON_ASCII.test(source + prototype) && source.toLowerCase() === source,
);
if (
  ASCII_MAPPINGS.some(([, prototype]) =>
    ASCII_MAPPINGS.some(([source]) => prototype.includes(source)),
  )
) {
  throw new Error('confusables: an ASCII prototype holds an ASCII source; map in one pass');
}

function mapAscii(text: string): string {
  let out = text;
  for (const [source, prototype] of ASCII_MAPPINGS) out = out.replaceAll(source, prototype);
  return out;
}

/**
 * The prototype of one character, lower-cased. Folded text is lower-case, and confusables.txt
 * maps many capitals only (Cyrillic `Т` to `T`) or maps the small letter to a small capital
 * (Cyrillic `т` to `ᴛ`, `н` to `ʜ`), which reads no Latin word: a character outside ASCII
 * takes its capital's prototype when it has none of its own, or when its own is outside ASCII
 * and its capital's is not. (Inside ASCII, a capital's prototype would read every `i` as
 * `I`, whose prototype is `l`.)
 */
function prototypeOf(character: string): string | undefined {
  const own = PROTOTYPES.get(character);
  if (!NON_ASCII.test(character)) return own;
  if (own !== undefined && !NON_ASCII.test(own)) return own;
  const capital = PROTOTYPES.get(character.toUpperCase());
  if (capital === undefined) return own;
  return own === undefined || !NON_ASCII.test(capital) ? capital : own;
}

/**
 * Folded text with each character outside ASCII that looks like ASCII letters or digits
 * written as them (Cyrillic `е` as `e`, `ѕ` as `s`), and combining marks dropped (`é` reads
 * `e`); ASCII is left as it is (unlike the skeleton, `m` stays `m`, `0` stays `0`), so that
 * an address or a key spelt with look-alikes reads as the one it imitates.
 *
 * @example
 * asciiLookalikes('аttасkеr@évil.com'); // 'attacker@evil.com' (Cyrillic а, с, е)
 */
export function asciiLookalikes(folded: string): string {
  if (!NON_ASCII.test(folded)) return folded;
  let out = '';
  for (const character of folded.normalize('NFD').replace(MARKS, '')) {
    const prototype = NON_ASCII.test(character) ? prototypeOf(character) : undefined;
    out += prototype !== undefined && !NON_ASCII.test(prototype) ? prototype : character;
  }
  return out.toLowerCase();
}

/** `confusablesSkeleton` of folded text known to be ASCII. */
export function asciiSkeleton(folded: string): Skeleton {
  return { text: mapAscii(folded), mappedNonAscii: false };
}

export interface Skeleton {
  readonly text: string;
  /** True when a character outside ASCII was mapped to a different prototype. */
  readonly mappedNonAscii: boolean;
}

/**
 * The skeleton of already folded (lower-case) text.
 *
 * @example
 * confusablesSkeleton('ignоre the systеm').text; // 'ignore the systern' (Cyrillic о and е)
 */
export function confusablesSkeleton(folded: string): Skeleton {
  if (!NON_ASCII.test(folded)) return asciiSkeleton(folded);
  let mappedNonAscii = false;
  let out = '';
  for (const character of folded.normalize('NFD').replace(MARKS, '')) {
    const prototype = prototypeOf(character);
    if (prototype === undefined || prototype === character) {
      out += character;
      continue;
    }
    if (NON_ASCII.test(character)) mappedNonAscii = true;
    out += prototype;
  }
  // A capital prototype lower-cased may itself have one (Cyrillic `М` → `M` → `m` → `rn`).
  return { text: mapAscii(out.toLowerCase()), mappedNonAscii };
}
