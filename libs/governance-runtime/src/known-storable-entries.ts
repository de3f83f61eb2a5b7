/**
 * Entries known to be in storable form already (`toStorableAuditLogEntry`'s output, with a
 * chain link built by the chain itself), so that the storage's `PreparedAuditLogBatch` does
 * not check and copy each of them a second time: on the chained write path every entry was
 * made storable before it was hashed, and the second pass was a sixth of the chain's cost.
 * Only the hash chain marks entries, and only those it built and froze; anything else is
 * checked as before.
 */
import type { AuditLogEntry } from './audit-log-entry.js';

const KNOWN = new WeakSet<AuditLogEntry>();

/** Freezes `entry` (its nested values are the chain's own copies) and remembers it. */
export function markStorable(entry: AuditLogEntry): AuditLogEntry {
  KNOWN.add(Object.freeze(entry));
  return entry;
}

/** Whether `entry` is one that `markStorable` remembered. */
export function isKnownStorable(entry: AuditLogEntry): boolean {
  return KNOWN.has(entry);
}
