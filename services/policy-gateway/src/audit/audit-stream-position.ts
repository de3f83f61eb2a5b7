/**
 * Where a live tail stands in the trail: an entry's `(occurred_at, id)`, the list's own order
 * key, written as `occurred_at/id`. Each event of `GET /governance/audit/stream` carries its
 * entry's position as the SSE `id`, which a client sends back as `Last-Event-ID` to resume.
 */
import type { AuditEntry } from '@policy-gateway/gateway-contract';
import { isAuditLogEntryId, isCanonicalAuditTimestamp } from '@policy-gateway/governance-runtime';

export interface AuditStreamPosition {
  readonly occurredAt: string;
  readonly id: string;
}

export function positionOf(entry: AuditEntry): AuditStreamPosition {
  return { occurredAt: entry.occurred_at, id: entry.id };
}

export function formatStreamPosition(position: AuditStreamPosition): string {
  return `${position.occurredAt}/${position.id}`;
}

/** The position a `Last-Event-ID` names, or undefined when it is not one this gateway sent. */
export function parseStreamPosition(text: string): AuditStreamPosition | undefined {
  const slash = text.indexOf('/');
  const occurredAt = text.slice(0, slash);
  const id = text.slice(slash + 1).toLowerCase();
  if (slash < 0 || !isCanonicalAuditTimestamp(occurredAt) || !isAuditLogEntryId(id)) {
    return undefined;
  }
  return { occurredAt, id };
}

/** Order of the list, oldest first: by time, then by id. */
export function comparePositions(a: AuditStreamPosition, b: AuditStreamPosition): number {
  if (a.occurredAt !== b.occurredAt) return a.occurredAt < b.occurredAt ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
