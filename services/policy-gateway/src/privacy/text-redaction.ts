/**
 * Redaction inside the prompt's text: every occurrence of each span the policy reported
 * (its `redact` member: `{"code", "text"}` items, never stored) is replaced by a marker
 * naming its kind, `[pii.payment_card]`. Overlapping spans are merged, the first found
 * keeping its kind. A span that cannot be found in the prompt (a policy reporting text it
 * did not take from it) withholds the whole prompt rather than risk storing what it meant.
 * A span the policy found in the folded prompt (`input.normalized.prompt`, see
 * `prompt-folding.ts`) is redacted where its source stands in the original.
 */
import type { RedactedSpans } from '@policy-gateway/governance-runtime';
import { OriginalSpans } from '../policy/original-spans.js';

export interface ReportedSpan {
  readonly code: string;
  readonly text: string;
}

/** What stands in the stored prompt when a reported span could not be located. */
export const WITHHELD_PROMPT = '[redaction.withheld: a reported span was not found in the prompt]';

export interface TextRedaction {
  readonly text: string;
  readonly redacted: readonly RedactedSpans[];
}

interface Interval {
  readonly start: number;
  readonly end: number;
  readonly code: string;
}

/**
 * @example
 * redactText('mail jane@example.com', [{ code: 'pii.email', text: 'jane@example.com' }]);
 * // { text: 'mail [pii.email]', redacted: [{ code: 'pii.email', count: 1 }] }
 */
export function redactText(text: string, spans: readonly ReportedSpan[]): TextRedaction {
  if (spans.length === 0) return { text, redacted: [] };
  // Lower-cased detectors report lower-cased text: found in the lower-cased prompt, whose
  // offsets are the prompt's own when lower-casing kept every length.
  const lower = text.toLowerCase();
  const lowerAligned = lower.length === text.length;
  const intervals: Interval[] = [];
  // Detectors that read the folded prompt (`input.normalized.prompt`) report folded text, which
  // the prompt may hold as written in one place and disguised in another: every span is also
  // looked for in the folded prompt, and mapped back.
  const folded: FoldedSpans = FOLDED_OTHERWISE.test(text)
    ? new OriginalSpans(text)
    : lowerCaseSpans(lower);
  for (const span of spans) {
    if (span.text === '') continue;
    let found = occurrences(text, span.text, span.code, intervals);
    if (!found && lowerAligned)
      found = occurrences(lower, span.text.toLowerCase(), span.code, intervals);
    for (const { start, end } of folded.of(span.text)) {
      intervals.push({ start, end, code: span.code });
      found = true;
    }
    if (!found) {
      return { text: WITHHELD_PROMPT, redacted: countByCode(spans.map(({ code }) => ({ code }))) };
    }
  }
  intervals.sort((a, b) => a.start - b.start || b.end - a.end);
  let out = '';
  let at = 0;
  const kept: { code: string }[] = [];
  for (const interval of intervals) {
    if (interval.start < at) {
      // Overlaps the previous marker: widen it to cover this one too.
      if (interval.end > at) at = interval.end;
      continue;
    }
    out += `${text.slice(at, interval.start)}[${interval.code}]`;
    at = interval.end;
    kept.push({ code: interval.code });
  }
  out += text.slice(at);
  return { text: out, redacted: countByCode(kept) };
}

/** Where a folded text stands in the original prompt. */
interface FoldedSpans {
  of(folded: string): readonly { readonly start: number; readonly end: number }[];
}

/**
 * Anything but printable ASCII, or two spaces in a row. A prompt without them only has its
 * case changed by folding (`prompt-folding.ts`), unit for unit: its folded form is
 * `toLowerCase()` at the same offsets, found without folding it again (folding with offsets
 * was about a fifth of masking an entry's CPU time).
 */
export const FOLDED_OTHERWISE = /[^\x20-\x7e]| {2}/;

/** The folded spans of a prompt whose folded form is `lower`, its lower-cased text. */
function lowerCaseSpans(lower: string): FoldedSpans {
  return {
    of(folded) {
      const spans: Interval[] = [];
      if (folded !== '') occurrences(lower, folded, '', spans);
      return spans;
    },
  };
}

function occurrences(haystack: string, needle: string, code: string, into: Interval[]): boolean {
  let found = false;
  for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + 1)) {
    into.push({ start: at, end: at + needle.length, code });
    found = true;
  }
  return found;
}

function countByCode(items: readonly { readonly code: string }[]): RedactedSpans[] {
  const counts = new Map<string, number>();
  for (const { code } of items) counts.set(code, (counts.get(code) ?? 0) + 1);
  return [...counts].sort(([a], [b]) => (a < b ? -1 : 1)).map(([code, count]) => ({ code, count }));
}
