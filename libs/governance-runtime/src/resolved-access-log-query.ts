/**
 * Checks an `AccessLogQuery` once, for every adapter, and resolves it into the form they
 * run: canonical time bounds, a decoded cursor, a checked limit and entry id.
 */
import type { AccessLogQuery } from './access-log-query.js';
import { type AuditLogCursor, decodeAuditLogCursor } from './audit-log-cursor.js';
import { toCanonicalAuditTimestamp } from './audit-timestamp.js';
import { InvalidAccessLogQueryError } from './invalid-access-log-query-error.js';
import { isAuditLogEntryId } from './new-audit-log-entry-id.js';

/**
 * Records per page at most. Lower than the audit log's 1,000: a record lists the ids its
 * answer carried (up to 1,000), so a page of 100 records stays within a few megabytes.
 */
export const ACCESS_LOG_QUERY_MAX_LIMIT = 100;

export interface ResolvedAccessLogQuery {
  readonly principalId?: string;
  readonly route?: string;
  /** Lower-case UUID. */
  readonly entryId?: string;
  /** Canonical, inclusive. */
  readonly since?: string;
  /** Canonical, exclusive. */
  readonly until?: string;
  readonly limit: number;
  /** Records strictly older than this position, in `(occurredAt, id)` order. */
  readonly after?: AuditLogCursor;
}

/**
 * @throws InvalidAccessLogQueryError naming the field, or InvalidCursorError for the cursor.
 */
export function resolveAccessLogQuery(query: AccessLogQuery): ResolvedAccessLogQuery {
  const { limit } = query;
  if (!Number.isInteger(limit) || limit < 1 || limit > ACCESS_LOG_QUERY_MAX_LIMIT) {
    throw new InvalidAccessLogQueryError(
      'limit',
      `limit must be an integer from 1 to ${ACCESS_LOG_QUERY_MAX_LIMIT}, got ${limit}`,
    );
  }
  return {
    ...(query.principalId !== undefined && {
      principalId: text('principalId', query.principalId),
    }),
    ...(query.route !== undefined && { route: text('route', query.route) }),
    ...(query.entryId !== undefined && { entryId: entryId(query.entryId) }),
    ...(query.since !== undefined && { since: timeBound('since', query.since) }),
    ...(query.until !== undefined && { until: timeBound('until', query.until) }),
    ...(query.cursor !== undefined && { after: decodeAuditLogCursor(query.cursor) }),
    limit,
  };
}

/** A filter value no stored record could have would make PostgreSQL fail, not match. */
function text(field: 'principalId' | 'route', value: string): string {
  if (value.includes('\u0000') || /\p{Cs}/u.test(value)) {
    throw new InvalidAccessLogQueryError(
      field,
      `${field} must not contain U+0000 or unpaired surrogates; no access log record can hold them`,
    );
  }
  return value;
}

function entryId(value: string): string {
  const id = value.toLowerCase();
  if (!isAuditLogEntryId(id)) {
    throw new InvalidAccessLogQueryError(
      'entryId',
      `entryId must be a UUID (an audit entry id), got ${JSON.stringify(value)}`,
    );
  }
  return id;
}

function timeBound(field: 'since' | 'until', value: string): string {
  const canonical = toCanonicalAuditTimestamp(value);
  if (canonical === null) {
    throw new InvalidAccessLogQueryError(
      field,
      `${field} must be an RFC 3339 date-time such as 2026-11-28T07:18:50Z, got ${JSON.stringify(value)}`,
    );
  }
  return canonical;
}
