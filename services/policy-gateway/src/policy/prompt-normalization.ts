/**
 * The pre-processing the shipped policy expects before it is evaluated: the forms of the
 * prompt a detector needs to see through disguises, passed in the input next to the original
 * as `input.normalized`. The gateway applies it on every route that decides (`POST
 * /policy/evaluate`, OPA's Data API); a caller of a real OPA server running the same bundle
 * applies `normalizePolicyInput` (or its documented steps, policies/README.md) to the input it
 * sends, and gets the same decisions.
 */
import { canonicalUserId } from './canonical-user-id.js';
import { asciiLookalikes, confusablesSkeleton } from './confusables-skeleton.js';
import { type FoldingChange, foldText } from './prompt-folding.js';

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
   * The folded prompt with spaced letters joined, marks dropped and look-alikes outside ASCII
   * written as the ASCII they imitate (`asciiLookalikes`), when that differs from `prompt`:
   * what the e-mail and secret detectors read, so that `j a n e @ e x a m p l e . c o m` or an
   * address with a Cyrillic `е` reads as the address.
   */
  readonly plain?: string;
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
  const folded = foldText(prompt);
  const joined = joinSpacedLetters(prompt);
  const foldedJoined = joined === prompt ? folded.text : foldText(joined).text;
  const skeleton = confusablesSkeleton(foldedJoined);
  const plain = asciiLookalikes(foldedJoined);
  const canonical = canonicalUserId(userId);
  const changed: NormalizationChange[] = [...folded.changed];
  if (skeleton.mappedNonAscii) changed.push('confusables');
  if (joined !== prompt) changed.push('spaced_letters');
  if (canonical !== userId) changed.push('user_id');
  return {
    prompt: folded.text,
    skeleton: skeleton.text,
    ...(plain === folded.text ? {} : { plain }),
    user_id: canonical,
    changed: changed.sort(),
  };
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
