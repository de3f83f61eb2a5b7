/**
 * Checks an `AuditLogQuery` once, for every adapter, and resolves it into the form they
 * run: canonical time bounds, a decoded cursor, a checked limit.
 */

import { type AuditLogCursor, decodeAuditLogCursor } from './audit-log-cursor.js';
import { AUDIT_DECISIONS, type AuditDecision } from './audit-log-entry.js';
import type { AuditLogQuery } from './audit-log-query.js';
import { AUDIT_SHADOW_FILTERS, type AuditShadowFilter } from './audit-shadow-decision.js';
import { toCanonicalAuditTimestamp } from './audit-timestamp.js';
import { InvalidAuditQueryError } from './invalid-audit-query-error.js';

export const AUDIT_QUERY_MAX_LIMIT = 1000;

export interface ResolvedAuditLogQuery {
  readonly userId?: string;
  readonly decision?: AuditDecision;
  readonly policyPath?: string;
  readonly decisionId?: string;
  readonly action?: string;
  readonly gatewayInstance?: string;
  readonly shadow?: AuditShadowFilter;
  /** Canonical, inclusive. */
  readonly since?: string;
  /** Canonical, exclusive. */
  readonly until?: string;
  readonly limit: number;
  /** Entries strictly older than this position, in `(occurredAt, id)` order. */
  readonly after?: AuditLogCursor;
  /** A positive integer; the page stops before the entry that would exceed it. */
  readonly maxBytes?: number;
}

/** @throws InvalidAuditQueryError (or its subclass InvalidCursorError) naming the field. */
export function resolveAuditLogQuery(query: AuditLogQuery): ResolvedAuditLogQuery {
  const { limit } = query;
  if (!Number.isInteger(limit) || limit < 1 || limit > AUDIT_QUERY_MAX_LIMIT) {
    throw new InvalidAuditQueryError(
      'limit',
      `limit must be an integer from 1 to ${AUDIT_QUERY_MAX_LIMIT}, got ${limit}`,
    );
  }
  return {
    ...(query.userId !== undefined && { userId: text('userId', query.userId) }),
    ...(query.decision !== undefined && { decision: decision(query.decision) }),
    ...(query.policyPath !== undefined && { policyPath: text('policyPath', query.policyPath) }),
    ...(query.decisionId !== undefined && { decisionId: text('decisionId', query.decisionId) }),
    ...(query.action !== undefined && { action: text('action', query.action) }),
    ...(query.gatewayInstance !== undefined && {
      gatewayInstance: text('gatewayInstance', query.gatewayInstance),
    }),
    ...(query.shadow !== undefined && { shadow: shadowFilter(query.shadow) }),
    ...(query.since !== undefined && { since: timeBound('since', query.since) }),
    ...(query.until !== undefined && { until: timeBound('until', query.until) }),
    ...(query.cursor !== undefined && { after: decodeAuditLogCursor(query.cursor) }),
    ...(query.maxBytes !== undefined && { maxBytes: maxBytes(query.maxBytes) }),
    limit,
  };
}

/** A filter value no stored entry could have would make PostgreSQL fail, not match. */
function text(
  field: 'userId' | 'policyPath' | 'decisionId' | 'action' | 'gatewayInstance',
  value: string,
): string {
  if (value.includes('\u0000') || /\p{Cs}/u.test(value)) {
    throw new InvalidAuditQueryError(
      field,
      `${field} must not contain U+0000 or unpaired surrogates; no audit entry can hold them`,
    );
  }
  return value;
}

function maxBytes(value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new InvalidAuditQueryError(
      'maxBytes',
      `maxBytes must be a positive integer, got ${value}`,
    );
  }
  return value;
}

function decision(value: AuditDecision): AuditDecision {
  if (!AUDIT_DECISIONS.includes(value)) {
    throw new InvalidAuditQueryError(
      'decision',
      `decision must be one of ${AUDIT_DECISIONS.join(', ')}, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

function shadowFilter(value: AuditShadowFilter): AuditShadowFilter {
  if (!AUDIT_SHADOW_FILTERS.includes(value)) {
    throw new InvalidAuditQueryError(
      'shadow',
      `shadow must be one of ${AUDIT_SHADOW_FILTERS.join(', ')}, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

function timeBound(field: 'since' | 'until', value: string): string {
  const canonical = toCanonicalAuditTimestamp(value);
  if (canonical === null) {
    throw new InvalidAuditQueryError(
      field,
      `${field} must be an RFC 3339 date-time such as 2026-11-28T07:18:50Z, got ${JSON.stringify(value)}`,
    );
  }
  return canonical;
}
