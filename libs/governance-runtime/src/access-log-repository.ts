/**
 * The port through which the gateway records every read of the audit trail and lists those
 * records. Adapters: `memory/` (bounded, not durable) and `postgres/` (PostgreSQL server or
 * PGlite, in the audit database). All of them pass one contract suite
 * (`describeAccessLogRepositoryContract`), so they differ in durability and nothing else.
 */
import type { AccessLogPage, AccessLogQuery } from './access-log-query.js';
import type { AccessLogRecord } from './access-log-record.js';

export interface AccessLogRepository {
  /** Whether records survive a restart of the process. */
  readonly durable: boolean;
  /**
   * Stores the record; resolves only once it is committed, so that the read it records may
   * be answered (fail-closed). Rejects if it could not be: `InvalidAccessLogRecordError` for a
   * record no adapter could store faithfully, `DuplicateAccessLogRecordError` for an id
   * already stored, or the database's own error (nothing committed).
   */
  append(record: AccessLogRecord): Promise<void>;
  /**
   * Newest first by `(occurredAt, id)`, keyset-paginated. Rejects with
   * `InvalidAccessLogQueryError` naming the field for a bad limit, time bound or entry id, and
   * with `InvalidCursorError` for a cursor it did not issue.
   */
  query(query: AccessLogQuery): Promise<AccessLogPage>;
  close(): Promise<void>;
}
