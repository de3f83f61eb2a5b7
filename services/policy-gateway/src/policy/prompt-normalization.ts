/**
 * The pre-processing the shipped policy expects before it is evaluated: the forms of the
 * prompt a detector needs to see through disguises, passed in the input next to the original
 * as `input.normalized`. The gateway applies it on every route that decides (`POST
 * /policy/evaluate`, OPA's Data API); a caller of a real OPA server running the same bundle
 * applies `normalizePolicyInput` (or its documented steps, policies/README.md) to the input it
 * sends, and gets the same decisions.
 */
import { canonicalUserId } from './canonical-user-id.js';
import { confusablesSkeleton } from './confusables-skeleton.js';
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
  const skeleton = confusablesSkeleton(joined === prompt ? folded.text : foldText(joined).text);
  const canonical = canonicalUserId(userId);
  const changed: NormalizationChange[] = [...folded.changed];
  if (skeleton.mappedNonAscii) changed.push('confusables');
  if (joined !== prompt) changed.push('spaced_letters');
  if (canonical !== userId) changed.push('user_id');
  return {
    prompt: folded.text,
    skeleton: skeleton.text,
    user_id: canonical,
    changed: changed.sort(),
  };
}

// Three or more letters (with their accents), each alone between the same separator (a space
// of any width, a dot, a dash, an underscore, an asterisk or a middle dot, ASCII or full-width),
// standing as a word: `Y o u`, `i.g.n.o.r.e`, `D-A-N`. Two separators in a row end a run, so
// `Y o u  a r e` is two words.
const SPACED_LETTERS =
  /(?<![\p{L}\p{M}\p{N}])\p{L}\p{M}*([\p{Zs}.\-_*\u00B7\u2010-\u2015\uFF0A\uFF0D\uFF0E\uFF3F])\p{L}\p{M}*(?:\1\p{L}\p{M}*)+(?![\p{L}\p{M}\p{N}])/gu;
const SEPARATORS = /[^\p{L}\p{M}]+/gu;

/**
 * The text with each run of letters spaced out one by one written as one word, as a reader
 * reads it: a disguise that splits a phrase into letters so that no word of it matches.
 *
 * @example
 * joinSpacedLetters('Y o u  a r e  n o w  D-A-N'); // 'You  are  now  DAN'
 */
export function joinSpacedLetters(text: string): string {
  return text.replace(SPACED_LETTERS, (run) => run.replace(SEPARATORS, ''));
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
