/**
 * The Kysely schema of the audit tables, as the migrations leave them. Columns a
 * database fills in itself are `Generated`; JSON columns are written as text and cast.
 */
import type { ColumnType, Generated } from 'kysely';
import type { AccessLogRecordsTable } from './access-log-database.js';

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
  /** Migration 004: who asked (the authenticated principal's id). */
  readonly principal_id: string | null;
  /** Migration 007: the entry's place in its hash chain, all four null or all set. */
  readonly chain_id: string | null;
  /** bigint: written as a number, read back as text (`pg`) or a number (PGlite). */
  readonly chain_seq: ColumnType<string | number | null, number | null, never>;
  readonly prev_hash: string | null;
  readonly entry_hash: string | null;
  /** Migration 012: what was masked, and the sealed unmasked input. */
  readonly masking: ColumnType<unknown, string | null, never>;
  readonly sealed_original: ColumnType<unknown, string | null, never>;
  /** Migration 016: the shadow decision, and false on a decision monitor mode did not enforce. */
  readonly shadow: ColumnType<unknown, string | null, never>;
  readonly enforced: ColumnType<boolean | null, boolean | null, never>;
  readonly inserted_at: Generated<Date>;
}

/** Migration 013: each erasure of a subject (its data key destroyed). */
export interface SubjectErasuresTable {
  readonly id: string;
  readonly subject_ref: string;
  readonly key_id: string | null;
  readonly erased_at: ColumnType<Date | string, string, never>;
  readonly erased_by: string;
  readonly reason: string;
  /** bigint: read back as text (`pg`) or a number (PGlite). */
  readonly entries_affected: ColumnType<string | number, number, never>;
}

/** Migration 007: the public keys that ever signed a checkpoint, kept after rotation. */
export interface AuditSigningKeysTable {
  readonly key_id: string;
  readonly algorithm: string;
  readonly public_key_pem: string;
  readonly first_used_at: Generated<Date>;
  readonly first_used_by: string;
}

/** Migration 007: signed checkpoints of chain heads. */
export interface AuditCheckpointsTable {
  readonly id: string;
  readonly chain_id: string;
  readonly chain_seq: ColumnType<string | number, number, never>;
  readonly entry_hash: string;
  readonly prev_checkpoint_id: string | null;
  readonly prev_checkpoint_hash: string | null;
  readonly key_id: string;
  readonly created_at: string;
  readonly instance: string;
  readonly reason: string;
  readonly final: boolean;
  readonly payload: string;
  readonly checkpoint_hash: string;
  readonly signature: string;
  readonly inserted_at: Generated<Date>;
}

export interface AuditLogDatabase {
  readonly audit_log_entries: AuditLogEntriesTable;
  /** Migration 006: every read of the trail. */
  readonly access_log_records: AccessLogRecordsTable;
  readonly audit_signing_keys: AuditSigningKeysTable;
  readonly audit_checkpoints: AuditCheckpointsTable;
  readonly subject_erasures: SubjectErasuresTable;
}
