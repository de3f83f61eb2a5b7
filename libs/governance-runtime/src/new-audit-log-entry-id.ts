/**
 * Audit entry ids: UUIDv7, so that ids sort in the order entries were made and the
 * `(occurred_at, id)` keyset stays stable even when many entries share a timestamp.
 */
import { createHash } from 'node:crypto';
import { v7 } from 'uuid';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A new UUIDv7, monotonic within this process. */
export function newAuditLogEntryId(): string {
  return v7();
}

/**
 * The UUIDv7 of an entry recorded from a fact made elsewhere (an OPA decision-log event):
 * its time part is `occurredAt`'s millisecond and its other bits come from a SHA-256 of
 * `identity`, so the same fact always gets the same id. Storing it twice is then a duplicate
 * id, which every adapter refuses: retried uploads store nothing twice.
 *
 * @example auditLogEntryIdOf(Date.parse(event.timestamp), `opa:${event.decision_id}`)
 */
export function auditLogEntryIdOf(occurredAtMs: number, identity: string): string {
  const random = createHash('sha256').update(identity).digest().subarray(0, 16);
  return v7({ msecs: occurredAtMs, random });
}

/** Whether `value` is a UUID in the lower-case form adapters store and return. */
export function isAuditLogEntryId(value: string): boolean {
  return UUID.test(value);
}
