/**
 * The port through which the gateway writes and reads the audit trail. Adapters:
 * `memory/` (bounded, not durable) and `postgres/` (PostgreSQL server or PGlite). All of
 * them pass one contract suite, so they differ in durability and nothing else.
 */
import type { AuditLogEntry } from './audit-log-entry.js';
import type { AuditLogPage, AuditLogQuery } from './audit-log-query.js';

export interface AuditLogEntryRepository {
  /** Whether entries survive a restart of the process. */
  readonly durable: boolean;
  /**
   * Stores the entry; resolves only once it is committed. Rejects if it could not be:
   * `InvalidAuditLogEntryError` for an entry no adapter could store faithfully,
   * `DuplicateAuditLogEntryError` for an id already stored (left intact), or the
   * database's own error when it is unreachable.
   */
  append(entry: AuditLogEntry): Promise<void>;
  /** The entry with this id (any letter case), or undefined, also for a non-UUID id. */
  findById(id: string): Promise<AuditLogEntry | undefined>;
  /**
   * Newest first by `(occurredAt, id)`, keyset-paginated. Rejects with
   * `InvalidAuditQueryError` naming the field for a bad limit or time bound, and with
   * its subclass `InvalidCursorError` for a cursor it did not issue.
   */
  query(query: AuditLogQuery): Promise<AuditLogPage>;
  close(): Promise<void>;
}
