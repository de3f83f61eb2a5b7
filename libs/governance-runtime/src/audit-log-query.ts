/**
 * Filtered, keyset-paginated reads of the audit log. Newest first; a page ends
 * with an opaque cursor that resumes strictly after its last entry.
 */
import type { AuditDecision, AuditLogEntry } from './audit-log-entry.js';
import type { AuditShadowFilter } from './audit-shadow-decision.js';

export interface AuditLogQuery {
  readonly userId?: string;
  readonly decision?: AuditDecision;
  readonly policyPath?: string;
  readonly decisionId?: string;
  /** What was decided on, e.g. `opa.decision_log` for decisions ingested from OPA servers. */
  readonly action?: string;
  /** The gateway process, or the OPA instance (`labels.id`) of an ingested decision. */
  readonly gatewayInstance?: string;
  /**
   * Shadow rollout: `recorded`, entries with a shadow decision; `differs`, those whose shadow
   * decision is not the entry's own.
   */
  readonly shadow?: AuditShadowFilter;
  /** Inclusive lower bound on `occurredAt`, RFC 3339. */
  readonly since?: string;
  /** Exclusive upper bound on `occurredAt`, RFC 3339. */
  readonly until?: string;
  /** 1 to 1000. */
  readonly limit: number;
  /** From the previous page's `nextCursor`. */
  readonly cursor?: string;
  /**
   * A budget for the page, in bytes as `auditLogEntrySize` counts them: the page ends early,
   * with a `nextCursor`, before the entry that would take it past the budget, so that what a
   * page costs to read and send stays bounded however large the stored entries are. A page
   * always holds at least one entry, however large. Unbounded when omitted.
   */
  readonly maxBytes?: number;
}

export interface AuditLogPage {
  readonly entries: readonly AuditLogEntry[];
  /** Null on the last page. */
  readonly nextCursor: string | null;
}
