/**
 * The Kysely schema of the audit tables, as the migrations leave them. Columns a
 * database fills in itself are `Generated`; JSON columns are written as text and cast.
 */
import type { ColumnType, Generated } from 'kysely';

export interface AuditLogEntriesTable {
  readonly id: string;
  readonly decision_id: string;
  /** Written as canonical RFC 3339 text; read back through `to_char` to keep microseconds. */
  readonly occurred_at: ColumnType<Date | string, string, never>;
  readonly user_id: string;
  readonly action: string;
  readonly decision: 'allow' | 'deny' | 'error';
  readonly reasons: ColumnType<unknown, string, never>;
  readonly policy_path: string;
  readonly policy_version: string;
  readonly policy_engine: string;
  readonly input: ColumnType<unknown, string, never>;
  readonly result: ColumnType<unknown, string | null, never>;
  readonly error: string | null;
  readonly latency_ms: ColumnType<number, number, never>;
  readonly request_id: string | null;
  readonly client_request_id: string | null;
  readonly client_address: string | null;
  readonly user_agent: string | null;
  readonly gateway_instance: string;
  /** Migration 003. */
  readonly idempotency_key: string | null;
  readonly request_digest: string | null;
  readonly inserted_at: Generated<Date>;
}

export interface AuditLogDatabase {
  readonly audit_log_entries: AuditLogEntriesTable;
}
