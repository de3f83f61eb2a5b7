/**
 * The Kysely schema of the access log's table, as migration 006 creates it. JSON and array
 * columns are written as text and cast, and read back as text, as the audit table's are.
 */
import type { ColumnType, Generated } from 'kysely';

export interface AccessLogRecordsTable {
  readonly id: string;
  /** Written as canonical RFC 3339 text; read back through `to_char` to keep microseconds. */
  readonly occurred_at: ColumnType<Date | string, string, never>;
  readonly principal_id: string;
  readonly method: string;
  readonly route: string;
  readonly parameters: ColumnType<unknown, string, never>;
  readonly status: number;
  readonly entry_count: number;
  /** uuid[]; a GIN index answers "which records carried this entry". */
  readonly entry_ids: ColumnType<unknown, string, never>;
  readonly request_id: string | null;
  readonly client_request_id: string | null;
  readonly client_address: string | null;
  readonly user_agent: string | null;
  readonly gateway_instance: string;
  readonly inserted_at: Generated<Date>;
}
