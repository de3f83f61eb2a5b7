/**
 * What was taken out of an entry before it was stored, recorded on the entry the way OPA's
 * decision-log events record it: `erased` and `masked` list the JSON pointers a mask policy
 * removed or overwrote (`/input/…`, `/result/…`), and `redacted` counts the spans found
 * inside the prompt's text and replaced by a marker naming their kind (`[pii.email]`).
 * It says where and why, never what: no erased value is kept here.
 */

/** Spans of one kind replaced inside the prompt, e.g. `{ code: 'pii.email', count: 2 }`. */
export interface RedactedSpans {
  /** The kind, as the policy's reason codes name it (`secret.aws_access_key`, `pii.iban`). */
  readonly code: string;
  readonly count: number;
}

export interface AuditEntryMasking {
  /** Pointers the mask policy removed, in the order applied (OPA's `erased`). */
  readonly erased: readonly string[];
  /** Pointers the mask policy overwrote with an `upsert` (OPA's `masked`). */
  readonly masked: readonly string[];
  /** Spans replaced inside `/input/prompt`, one item per kind. */
  readonly redacted: readonly RedactedSpans[];
}
