/**
 * The masking of one entry's input and result, with no state and nothing shared: the spans its
 * result reports (`redact`) are replaced in the prompt, the mask rules erase or overwrite what
 * they name, and `redact` is dropped from the result. The masking step of the write path runs it
 * for an entry decided without it (`MaskingAuditLog`); an evaluation thread runs it beside the
 * decision and its mask (`decidedMaskingOf`), so that the main thread only seals and stores.
 */
import type { AuditEntryMasking } from '@policy-gateway/governance-runtime';
import { applyMaskRules, type MaskableEvent, type MaskRule } from './mask-rules.js';
import { type ReportedSpan, redactText, WITHHELD_PROMPT } from './text-redaction.js';

/** The result member in which the shipped policy reports the spans it found. */
export const REDACT_MEMBER = 'redact';

/** An entry's input and result as they are to be stored, and what masking did to them. */
export interface MaskedParts {
  readonly input: unknown;
  readonly result: unknown;
  /** Whether anything was erased, masked or redacted: if not, `input` is the entry's own. */
  readonly changed: boolean;
  readonly masking: AuditEntryMasking;
  /** The unmasked input's JSON text, to be sealed; undefined where JSON cannot carry it. */
  readonly original: string | undefined;
}

/**
 * Masks `input` and `result` by `rules` and the spans `result` reports; neither is changed (the
 * masked input is a copy), though the masked result may share members with `result`.
 *
 * @example
 * maskParts({ prompt: 'mail jane@example.com' }, { redact: [{ code: 'pii.email', text: 'jane@example.com' }] }, []);
 * // { input: { prompt: 'mail [pii.email]' }, result: {}, changed: true, … }
 */
export function maskParts(
  input: unknown,
  result: unknown,
  rules: readonly MaskRule[],
): MaskedParts {
  const { spans, result: unreported } = reportedSpans(result);
  // One serialisation of the original serves twice: parsed, it is the copy that is masked
  // (the chain copies through JSON anyway), and it is the very text that is sealed.
  const original = jsonTextOf(input);
  const event: MaskableEvent = {
    input: original === undefined ? structuredClone(input) : JSON.parse(original),
    result: unreported,
  };
  let redacted: AuditEntryMasking['redacted'] = [];
  if (spans.length > 0 && isRecord(event.input) && typeof event.input.prompt === 'string') {
    const redaction = redactText(event.input.prompt, spans);
    event.input.prompt = redaction.text;
    redacted = redaction.redacted;
  } else if (spans === MALFORMED && isRecord(event.input)) {
    event.input.prompt = WITHHELD_PROMPT;
    redacted = [{ code: 'redaction.withheld', count: 1 }];
  }
  const { erased, masked } = applyMaskRules(event, rules);
  const changed = erased.length > 0 || masked.length > 0 || redacted.length > 0;
  return {
    input: changed ? event.input : input,
    result: event.result,
    changed,
    masking: { erased, masked, redacted },
    original,
  };
}

/** A `redact` member that is not a list of `{code, text}` strings. */
const MALFORMED: readonly ReportedSpan[] = Object.freeze([]);

/** The spans a result reports, and the result without them. */
function reportedSpans(result: unknown): { spans: readonly ReportedSpan[]; result: unknown } {
  if (!isRecord(result) || !Object.hasOwn(result, REDACT_MEMBER)) return { spans: [], result };
  const { [REDACT_MEMBER]: reported, ...rest } = result;
  const valid =
    Array.isArray(reported) &&
    reported.every(
      (span) => isRecord(span) && typeof span.code === 'string' && typeof span.text === 'string',
    );
  return { spans: valid ? (reported as ReportedSpan[]) : MALFORMED, result: rest };
}

/** The JSON text of `value`, or undefined where JSON cannot carry it (left to the storage to refuse). */
function jsonTextOf(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
