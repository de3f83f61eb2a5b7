/**
 * What an audit entry weighs when a page is read: the measure of `AuditLogQuery.maxBytes`.
 * Every adapter counts the same things (the UTF-8 bytes of the entry's text fields and of its
 * JSON fields written as JSON text), each from the form it keeps, so that a page budget means
 * the same on every backend to within JSON formatting (PostgreSQL's `jsonb` text puts a space
 * after each `:` and `,`).
 */
import type { AuditLogEntry } from './audit-log-entry.js';

/**
 * The UTF-8 bytes of the entry's strings, plus those of its JSON fields as compact JSON text;
 * numbers and nulls count nothing, nor does the entry's chain link.
 *
 * @example
 * auditLogEntrySize(entry); // ≈ the length of the entry's JSON, without its keys
 */
export function auditLogEntrySize(entry: AuditLogEntry): number {
  let bytes = 0;
  for (const [field, value] of Object.entries(entry)) {
    // The chain link is bookkeeping of a fixed size, not content: not weighed.
    if (field === 'chain') continue;
    if (typeof value === 'string') bytes += Buffer.byteLength(value, 'utf8');
    else if (typeof value === 'object' && value !== null) {
      bytes += Buffer.byteLength(JSON.stringify(value), 'utf8');
    }
  }
  return bytes;
}
