/**
 * Audit entry ids: UUIDv7, so that ids sort in the order entries were made and the
 * `(occurred_at, id)` keyset stays stable even when many entries share a timestamp.
 */
import { v7 } from 'uuid';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A new UUIDv7, monotonic within this process. */
export function newAuditLogEntryId(): string {
  return v7();
}

/** Whether `value` is a UUID in the lower-case form adapters store and return. */
export function isAuditLogEntryId(value: string): boolean {
  return UUID.test(value);
}
