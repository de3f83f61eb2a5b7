/**
 * The port through which the gateway writes and reads the audit trail. Adapters:
 * `memory/` (bounded, not durable) and `postgres/` (PostgreSQL server or PGlite).
 */
import type { AuditLogEntry } from './audit-log-entry.js';
import type { AuditLogPage, AuditLogQuery } from './audit-log-query.js';

export interface AuditLogEntryRepository {
  /** Whether entries survive a restart of the process. */
  readonly durable: boolean;
  /** Stores the entry; resolves only once it is committed. Rejects if it could not be. */
  append(entry: AuditLogEntry): Promise<void>;
  findById(id: string): Promise<AuditLogEntry | undefined>;
  /** Rejects with `InvalidCursorError` for a cursor it did not issue. */
  query(query: AuditLogQuery): Promise<AuditLogPage>;
  close(): Promise<void>;
}
