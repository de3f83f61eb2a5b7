/**
 * An entry's masking done on the evaluation thread, beside the decision and its mask policy
 * (`decision-log-mask.ts`): the thread masks the input the entry will record
 * (`recordedPolicyInput`) with the rules it just evaluated and sends the masked parts with the
 * evaluation, so the main thread spends no time on redaction, rules or copies. The parts are
 * remembered against the decision's result object, with the input they were decided on; the
 * masking step uses them only for an entry that carries that result and records that input
 * (`decidedMaskingOf`), and masks any other entry itself.
 */
import type { DocumentAnswer } from '../policy/data-document.js';
import { recordedPolicyInput } from '../policy/prompt-normalization.js';
import { attachedToResult, attachmentKey, attachToResult } from '../policy/result-attachment.js';
import { type MaskedParts, maskParts } from './entry-masking.js';
import { maskRulesOf } from './mask-policy.js';

/**
 * On the evaluation thread: the masked parts of the entry recording a decision on `input`
 * with `result`, by the mask policy's `mask` answer; undefined when there is no answer or its
 * rules are malformed (the write path then fails closed, and says so, as for any entry).
 */
export function maskDecided(
  input: unknown,
  result: unknown,
  mask: DocumentAnswer | undefined,
): MaskedParts | undefined {
  if (mask === undefined) return undefined;
  try {
    return maskParts(recordedPolicyInput(input), result, maskRulesOf(mask));
  } catch {
    return undefined;
  }
}

interface Decided {
  /** The input the decision was asked on (before `recordedPolicyInput`). */
  readonly input: unknown;
  readonly parts: MaskedParts;
}

/** Masked parts, attached to the result object of the evaluation they were made with. */
const DECIDED = attachmentKey<Decided>('decided masking');

/** On the main thread: remembers the thread's `parts` for the entry of a decision on `input`. */
export function rememberDecidedMasking(result: unknown, input: unknown, parts: MaskedParts): void {
  attachToResult(result, DECIDED, { input, parts });
}

/**
 * The masked parts of an entry whose result is a decision's and whose input is what that
 * decision's entry records (the same members, by identity); else undefined.
 */
export function decidedMaskingOf(entry: {
  readonly input: unknown;
  readonly result: unknown;
}): MaskedParts | undefined {
  const found = attachedToResult(entry.result, DECIDED);
  if (found === undefined || !recordsInput(entry.input, found.input)) return undefined;
  return found.parts;
}

/** Whether `recorded` is `recordedPolicyInput(asked)`, member by member. */
function recordsInput(recorded: unknown, asked: unknown): boolean {
  if (recorded === asked) return true;
  if (!isRecord(recorded) || !isRecord(asked)) return false;
  const keys = Object.keys(asked);
  if (Object.keys(recorded).length !== keys.length) return false;
  for (const key of keys) {
    if (!Object.hasOwn(recorded, key)) return false;
    const [mine, theirs] = [recorded[key], asked[key]];
    if (mine === theirs) continue;
    // `recordedPolicyInput` keeps only `changed` of `normalized`.
    if (key !== 'normalized' || !isRecord(mine) || !isRecord(theirs)) return false;
    const members = Object.keys(mine);
    if (members.length !== 1 || members[0] !== 'changed' || mine.changed !== theirs.changed) {
      return false;
    }
  }
  return true;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
