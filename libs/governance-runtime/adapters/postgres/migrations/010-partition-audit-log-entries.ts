/**
 * Migration 010: `audit_log_entries` becomes partitioned by `occurred_at`, one partition per
 * month (see `partition-interval.ts` for why monthly by default), so that retention drops whole months
 * and time-bounded reads touch only their months. Every stored entry stays where it is: the
 * table is attached whole as `audit_log_entries_legacy`, the partition of every time before
 * the month boundary its validated CHECK constraint names, so no row is copied and the chain
 * hashes are untouched. `policy-gateway migrate` validates that constraint before this runs,
 * outside a transaction, so writers wait only for the catalog changes here (see the README's
 * figures); on a database it did not prepare, this migration validates it itself.
 *
 * Unique indexes: PostgreSQL allows one across partitions only if it includes the partition
 * key, so each partition holds its own (id, chain seq, idempotency key; see
 * `partitioned-audit-tables.ts`) and a trigger holds a user's idempotency key across them: a
 * keyed entry is inserted only if no stored entry that decided holds its key, checked under a
 * transaction-scoped advisory lock on the key, so that two at once are decided in turn. A held
 * key makes the trigger skip the row (as `ON CONFLICT DO NOTHING` would); the repository
 * counts the rows it inserted. The append-only triggers of migration 008 move to the parent,
 * whence PostgreSQL clones them onto every partition, and each partition refuses TRUNCATE.
 *
 * Not additive, unlike 001–008: the table keeps its name and columns, so a replica of the
 * previous build keeps writing and reading through the parent, but it inserts with `ON
 * CONFLICT DO NOTHING` expecting the unique index on idempotency keys, which the trigger
 * replaces: a held key is skipped either way.
 *
 * `audit_retention_records`: the signed record of each chain start retention removed.
 */
import { type Kysely, sql } from 'kysely';
import {
  type LegacyTableShape,
  partitionLegacyTable,
  unpartitionLegacyTable,
} from '../partition-legacy-table.js';
import { AUDIT_LOG_ENTRIES_PARTITIONING } from '../partitioned-audit-tables.js';

const table = AUDIT_LOG_ENTRIES_PARTITIONING;

const SHAPE: LegacyTableShape = {
  parentIndexes: [
    { name: 'audit_log_entries_occurred_at_idx', columns: '(occurred_at desc, id desc)' },
    {
      name: 'audit_log_entries_user_id_occurred_at_idx',
      columns: '(user_id, occurred_at desc, id desc)',
    },
    {
      name: 'audit_log_entries_decision_occurred_at_idx',
      columns: '(decision, occurred_at desc, id desc)',
    },
    {
      name: 'audit_log_entries_policy_path_occurred_at_idx',
      columns: '(policy_path, occurred_at desc, id desc)',
    },
    { name: 'audit_log_entries_decision_id_idx', columns: '(decision_id)' },
  ],
  localRenames: [
    { from: 'audit_log_entries_pkey', to: 'audit_log_entries_legacy_id_key', constraint: true },
    {
      from: 'audit_log_entries_chain_id_chain_seq_idx',
      to: 'audit_log_entries_legacy_chain_seq_key',
      constraint: false,
    },
    {
      from: 'audit_log_entries_user_id_idempotency_key_idx',
      to: 'audit_log_entries_legacy_idempotency_key',
      constraint: false,
    },
  ],
  rowTriggers: [
    {
      name: 'audit_log_entries_append_only',
      definition:
        'before update or delete on audit_log_entries for each row execute function audit_refuse_change()',
    },
  ],
};

const HOLD_KEY_FUNCTION = 'audit_hold_idempotency_key';
const HOLD_KEY_TRIGGER = 'audit_log_entries_hold_idempotency_key';
const RETENTION_TABLE = 'audit_retention_records';

export async function up<DB>(db: Kysely<DB>): Promise<void> {
  await partitionLegacyTable(db, table, SHAPE);
  // Another entry with the same id is left to the id's unique index (a duplicate, not a key
  // conflict), as before this migration.
  await sql`
    create function ${sql.id(HOLD_KEY_FUNCTION)}() returns trigger language plpgsql as $$
    begin
      perform pg_advisory_xact_lock(
        hashtextextended('policy-gateway/idempotency-key/' || length(new.user_id) || ':'
                         || new.user_id || new.idempotency_key, 0));
      if exists (select 1 from audit_log_entries
                  where user_id = new.user_id and idempotency_key = new.idempotency_key
                    and decision <> 'error' and id <> new.id) then
        return null;
      end if;
      return new;
    end
    $$`.execute(db);
  await sql`create trigger ${sql.id(HOLD_KEY_TRIGGER)} before insert on audit_log_entries
    for each row when (new.idempotency_key is not null and new.decision <> 'error')
    execute function ${sql.id(HOLD_KEY_FUNCTION)}()`.execute(db);
  await createRetentionRecords(db);
}

/**
 * What retention removed: one signed record per chain whose start went with a dropped
 * partition (see `audit-retention.ts`), append-only like the entries.
 */
async function createRetentionRecords<DB>(db: Kysely<DB>): Promise<void> {
  await db.schema
    .createTable(RETENTION_TABLE)
    .addColumn('id', 'uuid', (column) => column.primaryKey())
    .addColumn('chain_id', 'uuid', (column) => column.notNull())
    .addColumn('last_removed_seq', 'bigint', (column) => column.notNull())
    .addColumn('last_removed_entry_hash', 'text', (column) => column.notNull())
    .addColumn('partition', 'text', (column) => column.notNull())
    // As signed (canonical RFC 3339 text), like the checkpoints' created_at.
    .addColumn('partition_to', 'text', (column) => column.notNull())
    .addColumn('removed_at', 'text', (column) => column.notNull())
    .addColumn('removed_by', 'text', (column) => column.notNull())
    .addColumn('key_id', 'text', (column) => column.notNull())
    .addColumn('payload', 'text', (column) => column.notNull())
    .addColumn('record_hash', 'text', (column) => column.notNull())
    .addColumn('signature', 'text', (column) => column.notNull())
    .addColumn('inserted_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('audit_retention_records_chain_id_idx')
    .on(RETENTION_TABLE)
    .columns(['chain_id', 'last_removed_seq'])
    .execute();
  await sql`create trigger audit_retention_records_append_only
    before update or delete on audit_retention_records
    for each row execute function audit_refuse_change()`.execute(db);
  await sql`create trigger audit_retention_records_no_truncate
    before truncate on audit_retention_records
    for each statement execute function audit_refuse_change()`.execute(db);
}

export async function down<DB>(db: Kysely<DB>): Promise<void> {
  await db.schema.dropTable(RETENTION_TABLE).execute();
  await sql`drop trigger ${sql.id(HOLD_KEY_TRIGGER)} on audit_log_entries`.execute(db);
  await sql`drop function ${sql.id(HOLD_KEY_FUNCTION)}()`.execute(db);
  await unpartitionLegacyTable(db, table, SHAPE);
}
