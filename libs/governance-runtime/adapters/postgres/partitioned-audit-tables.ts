/**
 * The tables partitioned by time (migrations 010 and 018), and what each partition must hold
 * by itself. PostgreSQL builds a unique index across partitions only when it includes the
 * partition key, and `(id, occurred_at)` would not stop a second entry with the same id at
 * another time. So each partition carries its own unique indexes (an id, a chain seq, a user's
 * idempotency key are unique within a month), migration 010's trigger holds idempotency keys
 * across partitions, and the verifier reports a seq stored twice across partitions as a fork.
 * The indexes the queries read (time, user, decision…) are declared on the parent instead, so
 * PostgreSQL creates them on each new partition itself.
 */
import { type RawBuilder, sql } from 'kysely';

export interface LocalIndex {
  /** Appended to the partition's name: `<partition>_<suffix>`. */
  readonly suffix: string;
  /** `(columns) [where …]`, after `create unique index … on <partition>`. */
  readonly definition: RawBuilder<unknown>;
}

export interface PartitionedAuditTable {
  readonly name: string;
  /** The partition holding every row from before partitioning, from MINVALUE up to a month. */
  readonly legacyPartition: string;
  /** Catches a row no range partition holds (a timestamp past the months made ahead). */
  readonly defaultPartition: string;
  readonly localUniqueIndexes: readonly LocalIndex[];
  /**
   * Whether each partition refuses TRUNCATE (migration 008's trigger function): statement
   * triggers of the parent do not fire for a statement naming a partition.
   */
  readonly appendOnly: boolean;
}

/** The suffixes a unique violation's index name ends with, by what it means. */
export const LOCAL_ID_INDEX_SUFFIX = '_id_key';
export const LOCAL_IDEMPOTENCY_INDEX_SUFFIX = '_idempotency_key';

export const AUDIT_LOG_ENTRIES_PARTITIONING: PartitionedAuditTable = Object.freeze({
  name: 'audit_log_entries',
  legacyPartition: 'audit_log_entries_legacy',
  defaultPartition: 'audit_log_entries_default',
  appendOnly: true,
  localUniqueIndexes: Object.freeze([
    { suffix: LOCAL_ID_INDEX_SUFFIX.slice(1), definition: sql`(id)` },
    {
      suffix: 'chain_seq_key',
      definition: sql`(chain_id, chain_seq) where chain_id is not null`,
    },
    {
      suffix: LOCAL_IDEMPOTENCY_INDEX_SUFFIX.slice(1),
      definition: sql`(user_id, idempotency_key) where idempotency_key is not null and decision <> 'error'`,
    },
  ]),
});

export const ACCESS_LOG_RECORDS_PARTITIONING: PartitionedAuditTable = Object.freeze({
  name: 'access_log_records',
  legacyPartition: 'access_log_records_legacy',
  defaultPartition: 'access_log_records_default',
  appendOnly: true,
  localUniqueIndexes: Object.freeze([
    { suffix: LOCAL_ID_INDEX_SUFFIX.slice(1), definition: sql`(id)` },
  ]),
});
