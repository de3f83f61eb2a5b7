/**
 * Which idempotency key an entry holds, in one place for every adapter: an entry that
 * decided (`allow` or `deny`) under a key holds it within its user's scope; one without a
 * key, or whose decision is `error`, holds none (a retry after a failed evaluation decides
 * anew). PostgreSQL's unique index (migration 003) has the same predicate.
 */
import type { AuditLogEntry } from './audit-log-entry.js';

/** The scope and key as one string (user id and key cannot collide), or undefined. */
export function heldIdempotencyKey(
  entry: Pick<AuditLogEntry, 'userId' | 'decision' | 'idempotencyKey'>,
): string | undefined {
  if (entry.idempotencyKey === null || entry.decision === 'error') return undefined;
  return idempotencyScope(entry.userId, entry.idempotencyKey);
}

export function idempotencyScope(userId: string, idempotencyKey: string): string {
  return JSON.stringify([userId, idempotencyKey]);
}
