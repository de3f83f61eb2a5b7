/**
 * Filtered, keyset-paginated reads of the access log: newest first by `(occurredAt, id)`,
 * with the same opaque cursors as the audit log (a position, `encodeAuditLogCursor`).
 */
import type { AccessLogRecord } from './access-log-record.js';

export interface AccessLogQuery {
  /** Records of this principal only (`key:…`, `oidc:…`, `anonymous`). */
  readonly principalId?: string;
  /** Records of this route only, as declared (`/governance/audit/:id`). */
  readonly route?: string;
  /** Records whose answer carried this audit entry (or record) id: who saw it. */
  readonly entryId?: string;
  /** Inclusive lower bound on `occurredAt`, RFC 3339. */
  readonly since?: string;
  /** Exclusive upper bound on `occurredAt`, RFC 3339. */
  readonly until?: string;
  /** 1 to `ACCESS_LOG_QUERY_MAX_LIMIT`. */
  readonly limit: number;
  /** From the previous page's `nextCursor`. */
  readonly cursor?: string;
}

export interface AccessLogPage {
  readonly records: readonly AccessLogRecord[];
  /** Null on the last page. */
  readonly nextCursor: string | null;
}
