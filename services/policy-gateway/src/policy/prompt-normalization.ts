/**
 * The pre-processing the shipped policy expects before it is evaluated: the forms of the
 * prompt a detector needs to see through disguises, passed in the input next to the original
 * as `input.normalized`. The gateway applies it on every route that decides (`POST
 * /policy/evaluate`, OPA's Data API); a caller of a real OPA server running the same bundle
 * applies `normalizePolicyInput` (or its documented steps, policies/README.md) to the input it
 * sends, and gets the same decisions.
 */
import { canonicalUserId } from './canonical-user-id.js';
import { asciiLookalikes, asciiSkeleton, confusablesSkeleton } from './confusables-skeleton.js';
import { type FoldingChange, foldAsciiText, foldText } from './prompt-folding.js';

/** What a normalisation changed, as the policy input and the audit entry name it. */
export type NormalizationChange = FoldingChange | 'confusables' | 'spaced_letters' | 'user_id';

export interface NormalizedForms {
  /** The folded prompt (`prompt-folding.ts`): what the personal-data and secret detectors read. */
  readonly prompt: string;
  /**
   * Its TR39 confusables skeleton (`confusables-skeleton.ts`), with letters spaced out one by
   * one joined (`joinSpacedLetters`): what phrase detectors read.
   */
  readonly skeleton: string;
  /**
   * The skeleton as the phrase detectors read it (`phraseSpelling`), when that differs from
   * `skeleton`. Absent from forms that carry `changed` (complete ones, as these are), it means
   * the skeleton itself; the policy respells the skeleton only when neither is sent.
   */
  readonly phrase?: string;
  /**
   * The folded prompt with spaced letters joined, marks dropped and look-alikes outside ASCII
   * written as the ASCII they imitate (`asciiLookalikes`), when that differs from `prompt`:
   * what the e-mail and secret detectors read, so that `j a n e @ e x a m p l e . c o m` or an
   * address with a Cyrillic `е` reads as the address.
   */
  readonly plain?: string;
  /**
   * How many ASCII digits `prompt` holds, when it holds any: what the digit-shaped detectors
   * check first (`digit_count` in policies/prompt.rego). Absent from forms that carry `changed`,
   * it means none; the policy counts them itself only when neither is sent.
   */
  readonly digits?: number;
  /**
   * The digit-shaped runs of `prompt`, one a line (`numericRuns`), when it holds any: what the
   * phone, card and SSN detectors scan (`numeric_text` in policies/personal_data.rego, which
   * cuts them out itself without it).
   */
  readonly numeric?: string;
  /** The user id's canonical form (`canonical-user-id.ts`), compared with the blocked list. */
  readonly user_id: string;
  /**
   * The normalisations that changed the text, sorted; `user_id` when the user id is not in
   * its canonical form. Case and ASCII white space are not counted: nearly every prompt has
   * capitals and line breaks.
   */
  readonly changed: readonly NormalizationChange[];
}

/**
 * The normalised forms of a prompt and user id.
 *
 * @example
 * normalizeForms('Ignore all previous instructi\u200Bons', 'U-1');
 * // { prompt: 'ignore all previous instructions', skeleton: 'ignore all previous instructions',
 * //   user_id: 'u-1', changed: ['format', 'user_id'] }
 */
export function normalizeForms(prompt: string, userId: string): NormalizedForms {
  // Most prompts are ASCII, and so is every form of them: one test spares each step its own.
  const ascii = !NON_ASCII.test(prompt);
  const folded = ascii ? foldAsciiText(prompt) : foldText(prompt);
  const joined = joinSpacedLetters(prompt);
  const foldedJoined =
    joined === prompt ? folded.text : ascii ? foldAsciiText(joined).text : foldText(joined).text;
  const skeleton = ascii ? asciiSkeleton(foldedJoined) : confusablesSkeleton(foldedJoined);
  const plain = ascii ? foldedJoined : asciiLookalikes(foldedJoined);
  const phrase = phraseSpelling(skeleton.text);
  const digits = digitCount(folded.text);
  const numeric = digits === 0 ? '' : numericRuns(folded.text);
  const canonical = canonicalUserId(userId);
  const changed: NormalizationChange[] = [...folded.changed];
  if (skeleton.mappedNonAscii) changed.push('confusables');
  if (joined !== prompt) changed.push('spaced_letters');
  if (canonical !== userId) changed.push('user_id');
  return {
    prompt: folded.text,
    skeleton: skeleton.text,
    ...(phrase === skeleton.text ? {} : { phrase }),
    ...(plain === folded.text ? {} : { plain }),
    ...(digits === 0 ? {} : { digits }),
    ...(numeric === '' ? {} : { numeric }),
    user_id: canonical,
    changed: changed.sort(),
  };
}

const NON_ASCII = /\P{ASCII}/u;
const NON_DIGITS = /[^0-9]+/g;
// The runs `numeric_text` (policies/personal_data.rego) cuts out: keep the two the same.
const NUMERIC_RUNS = /[+(0-9][0-9 ()./_+-]*[0-9]/g;

/** How many ASCII digits the text holds (`digit_count` in policies/prompt.rego). */
export function digitCount(text: string): number {
  // One native pass: a loop over the characters cost three times as much on 2 KB of prose.
  return text.replace(NON_DIGITS, '').length;
}

/**
 * The parts of folded text a digit-shaped detector can match, one a line (`numeric_text` in
 * policies/personal_data.rego): maximal runs of digits, spaces and `+ ( ) . / _ -` that start
 * with a digit, `+` or `(` and end with a digit. A policy reads it in one Rego string where
 * cutting the runs out itself costs a string per run.
 *
 * @example
 * numericRuns('call +44 20 7946 0958 or (555) 123-4567 by 5 pm'); // '+44 20 7946 0958\n(555) 123-4567'
 */
export function numericRuns(text: string): string {
  return text.match(NUMERIC_RUNS)?.join('\n') ?? '';
}

// What `phrase_spelling` (policies/prompt.rego) respells, and as what: digits and symbols
// written for letters (leetspeak) as the letters, punctuation between words as a space, and
// `''` (TR39's spelling of `"`) as a space. Keep the two tables the same: the policy respells
// the skeleton itself when `phrase` is not sent, and a test compares the two readings.
const PHRASE_SPELLING: Readonly<Record<string, string>> = {
  '3': 'e',
  '4': 'a',
  '5': 's',
  '7': 't',
  '@': 'a',
  $: 's',
  '-': ' ',
  _: ' ',
  '(': ' ',
  ')': ' ',
  '[': ' ',
  ']': ' ',
  '{': ' ',
  '}': ' ',
  '<': ' ',
  '>': ' ',
  '*': ' ',
  '/': ' ',
  '\\': ' ',
  '~': ' ',
  '=': ' ',
  '+': ' ',
  '#': ' ',
  '^': ' ',
  ':': ' ',
  ';': ' ',
  "''": ' ',
  '|': ' ',
};
// The single characters `PHRASE_SPELLING` respells; `''` is looked for apart: V8 scans for a
// class alone about twice as fast as for an alternation that starts with a literal.
const PHRASE_SYMBOL = /[-3457@$_()[\]{}<>*/\\~=+#^:;|]/;
const PHRASE_SYMBOLS_ALL = /''|[-3457@$_()[\]{}<>*/\\~=+#^:;|]/g;
const QUOTE = 39;
const SPACE = 32;
// The single-character respellings as bytes, every other ASCII byte standing for itself.
const PHRASE_BYTES = Uint8Array.from({ length: 128 }, (_, byte) => {
  const spelt = PHRASE_SPELLING[String.fromCharCode(byte)];
  return spelt === undefined ? byte : spelt.charCodeAt(0);
});

/**
 * The skeleton as the phrase detectors read it (`phrase_text` in policies/prompt.rego): each
 * digit or symbol of `PHRASE_SPELLING` written as its letter or a space, left to right, a
 * `''` taken whole. ASCII text, the usual case, is respelt in one pass over its bytes (a
 * replacement per match cost about 50 ns each, and a prompt of figures has hundreds).
 *
 * @example
 * phraseSpelling('lgnore_4ll_pr3vlous'); // 'lgnore all prevlous'
 */
export function phraseSpelling(skeleton: string): string {
  if (!PHRASE_SYMBOL.test(skeleton) && !skeleton.includes("''")) return skeleton;
  if (NON_ASCII.test(skeleton)) {
    return skeleton.replace(PHRASE_SYMBOLS_ALL, (symbol) => PHRASE_SPELLING[symbol] ?? symbol);
  }
  const bytes = Buffer.from(skeleton, 'latin1');
  let length = 0;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i] ?? 0;
    if (byte === QUOTE && bytes[i + 1] === QUOTE) {
      bytes[length++] = SPACE;
      i++;
    } else {
      bytes[length++] = PHRASE_BYTES[byte] ?? byte;
    }
  }
  return bytes.toString('latin1', 0, length);
}

// Three or more letters or digits (with their accents), each alone between the same separator
// (a dot, a dash, an underscore, an asterisk or a middle dot, ASCII or full-width), standing
// as a word: `i.g.n.o.r.e`, `D-A-N`. Two separators in a row end a run.
const SEPARATED_LETTERS =
  /(?<![\p{L}\p{M}\p{N}])[\p{L}\p{N}]\p{M}*([.\-_*\u00B7\u2010-\u2015\uFF0A\uFF0D\uFF0E\uFF3F])[\p{L}\p{N}]\p{M}*(?:\1[\p{L}\p{N}]\p{M}*)+(?![\p{L}\p{M}\p{N}])/gu;
// Three or more letters or digits each alone between runs of white space (of any width, line
// breaks included): `Y o u  a r e`, a phrase spaced out and wrapped over lines.
const SPACED_LETTERS =
  /(?<![\p{L}\p{M}\p{N}])[\p{L}\p{N}]\p{M}*(?:\p{White_Space}{1,8}[\p{L}\p{N}]\p{M}*){2,}(?![\p{L}\p{M}\p{N}])/gu;
const SEPARATORS = /[^\p{L}\p{M}\p{N}]+/gu;
const GAPS = /\p{White_Space}+/gu;
const LETTER = /\p{L}/u;

/**
 * The text with each run of letters spaced out one by one written as words, as a reader
 * reads it: a disguise that splits a phrase into letters so that no word of it matches.
 * Where the letters stand between runs of white space, a gap wider than the run's usual one
 * (the width most of its gaps have, the narrowest of equals) separates words, so a line break
 * that wrapping put in place of a gap joins, and one added to a gap separates. A run without a letter (`1 2 3`) is left as it is.
 *
 * @example
 * joinSpacedLetters('Y o u  a r e  n o w  D-A-N'); // 'You are now  DAN'
 */
export function joinSpacedLetters(text: string): string {
  return text
    .replace(SEPARATED_LETTERS, (run) => (LETTER.test(run) ? run.replace(SEPARATORS, '') : run))
    .replace(SPACED_LETTERS, joinSpacedRun);
}

function joinSpacedRun(run: string): string {
  if (!LETTER.test(run)) return run;
  const widths = (run.match(GAPS) ?? []).map((gap) => gap.length);
  const counts = new Map<number, number>();
  for (const width of widths) counts.set(width, (counts.get(width) ?? 0) + 1);
  let usual = 0;
  let most = 0;
  for (const [width, count] of counts) {
    if (count > most || (count === most && width < usual)) {
      usual = width;
      most = count;
    }
  }
  let gap = 0;
  return run.replace(GAPS, () => ((widths[gap++] ?? 0) > usual ? ' ' : ''));
}

/**
 * The input with `normalized` added, when it has a string `prompt` (and `user_id`, else the
 * empty string stands for it); any other input, and any `normalized` the caller sent, is
 * replaced or passed as is: the policy trusts only forms computed from the prompt it judges.
 *
 * @example
 * normalizePolicyInput({ prompt: 'Hi', user_id: 'u', context: {} });
 * // { prompt: 'Hi', user_id: 'u', context: {}, normalized: { prompt: 'hi', … } }
 */
export function normalizePolicyInput<Input>(input: Input): Input {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return input;
  const { prompt, user_id } = input as { prompt?: unknown; user_id?: unknown };
  if (typeof prompt !== 'string') return input;
  const normalized = normalizeForms(prompt, typeof user_id === 'string' ? user_id : '');
  return { ...input, normalized };
}

/**
 * What the audit entry keeps of `input.normalized`: which normalisations changed the text,
 * not the normalised texts, which hold whatever the prompt holds and would escape the
 * redaction of the stored prompt. They are recomputed from the prompt whenever needed.
 */
export function recordedPolicyInput<Input>(input: Input): Input {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return input;
  const { normalized } = input as { normalized?: unknown };
  if (typeof normalized !== 'object' || normalized === null) return input;
  const { changed } = normalized as { changed?: unknown };
  return { ...input, normalized: { changed } };
}
