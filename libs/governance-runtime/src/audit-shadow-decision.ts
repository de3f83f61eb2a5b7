/**
 * What a candidate policy bundle, run in shadow beside the active one, decided on the same
 * request (shadow rollout): recorded with the entry, never answered or enforced. Kept to the
 * decision, its reasons and the candidate's version, so that a shadow adds no copy of the
 * input or of a result a mask policy would have to mask again. Stored as JSON under these
 * snake_case names (as the API shows it), and hashed as stored.
 */
import type { AuditDecision, AuditReason } from './audit-log-entry.js';

export interface AuditShadowDecision {
  /** What the candidate decided; `error` when it could not evaluate (the request was unaffected). */
  readonly decision: AuditDecision;
  readonly reasons: readonly AuditReason[];
  /** The candidate bundle's version (its manifest revision, or a digest of its files). */
  readonly policy_version: string;
  /** The candidate's evaluation latency in milliseconds. */
  readonly latency_ms: number;
  /** Why the candidate failed, when `decision` is `error`; null otherwise. */
  readonly error: string | null;
}

/**
 * The `shadow` filters of an audit query: `recorded`, entries that carry a shadow decision;
 * `differs`, those whose shadow decision is not the entry's own (a shadow `error` differs).
 */
export const AUDIT_SHADOW_FILTERS = Object.freeze(['recorded', 'differs'] as const);

export type AuditShadowFilter = (typeof AUDIT_SHADOW_FILTERS)[number];

/** Whether `entry` passes the `shadow` filter: the one definition both adapters follow. */
export function matchesShadowFilter(
  entry: { readonly decision: AuditDecision; readonly shadow?: AuditShadowDecision },
  filter: AuditShadowFilter,
): boolean {
  if (entry.shadow === undefined) return false;
  return filter === 'recorded' || entry.shadow.decision !== entry.decision;
}
