/**
 * Migration 018: `access_log_records` (who read the trail, migration 006) becomes partitioned
 * by `occurred_at`, one partition per month, as migration 010 made `audit_log_entries`, so
 * that retention can drop whole expired months of it instead of the table growing forever.
 * The same catalog-only steps (`partition-legacy-table.ts`): the table is attached whole as
 * `access_log_records_legacy`, bounded by a CHECK constraint that `policy-gateway migrate`
 * validates beforehand while writers go on (`prepareOnlineMigrations`), so no row is copied.
 *
 * The access log becomes append-only here, as the entries are (migration 008's function):
 * row triggers refuse UPDATE and DELETE and every partition refuses TRUNCATE, so reads of the
 * trail are removed only by retention dropping a whole expired partition, after a signed
 * record of what went (`access_log_retention_records`, see `audit-retention.ts`).
 *
 * Each partition holds its own unique index on id (a unique index across partitions must
 * include the partition key); a record is written once with its own time, so a duplicate id
 * lands in the same month and is still refused.
 */
import { type Kysely, sql } from 'kysely';
import {
  type LegacyTableShape,
  partitionLegacyTable,
  unpartitionLegacyTable,
} from '../partition-legacy-table.js';
import { ACCESS_LOG_RECORDS_PARTITIONING } from '../partitioned-audit-tables.js';

const table = ACCESS_LOG_RECORDS_PARTITIONING;

const APPEND_ONLY_TRIGGER = 'access_log_records_append_only';

const SHAPE: LegacyTableShape = {
  parentIndexes: [
    { name: 'access_log_records_occurred_at_idx', columns: '(occurred_at desc, id desc)' },
    {
      name: 'access_log_records_principal_id_occurred_at_idx',
      columns: '(principal_id, occurred_at desc, id desc)',
    },
    {
      name: 'access_log_records_route_occurred_at_idx',
      columns: '(route, occurred_at desc, id desc)',
    },
    { name: 'access_log_records_entry_ids_idx', columns: 'using gin (entry_ids)' },
  ],
  localRenames: [
    { from: 'access_log_records_pkey', to: 'access_log_records_legacy_id_key', constraint: true },
  ],
  rowTriggers: [
    {
      name: APPEND_ONLY_TRIGGER,
      definition:
        'before update or delete on access_log_records for each row execute function audit_refuse_change()',
    },
  ],
};

export const ACCESS_LOG_RETENTION_TABLE = 'access_log_retention_records';

export async function up<DB>(db: Kysely<DB>): Promise<void> {
  // On the plain table first, so that its rows are refused change from here on and the
  // partitioning moves the row trigger to the parent like 010's.
  await sql`create trigger ${sql.id(APPEND_ONLY_TRIGGER)} before update or delete
    on access_log_records for each row execute function audit_refuse_change()`.execute(db);
  await sql`create trigger access_log_records_no_truncate before truncate on access_log_records
    for each statement execute function audit_refuse_change()`.execute(db);
  await partitionLegacyTable(db, table, SHAPE);
  await createRetentionRecords(db);
}

/**
 * What retention removed of the access log: one signed record per dropped partition (its
 * name, time range, rows, when, by whom), append-only like the log itself.
 */
async function createRetentionRecords<DB>(db: Kysely<DB>): Promise<void> {
  await db.schema
    .createTable(ACCESS_LOG_RETENTION_TABLE)
    .addColumn('id', 'uuid', (column) => column.primaryKey())
    .addColumn('partition', 'text', (column) => column.notNull())
    // As signed (canonical RFC 3339 text); from is null for the legacy partition (MINVALUE).
    .addColumn('partition_from', 'text')
    .addColumn('partition_to', 'text', (column) => column.notNull())
    .addColumn('removed_rows', 'bigint', (column) => column.notNull())
    .addColumn('removed_at', 'text', (column) => column.notNull())
    .addColumn('removed_by', 'text', (column) => column.notNull())
    .addColumn('key_id', 'text', (column) => column.notNull())
    .addColumn('payload', 'text', (column) => column.notNull())
    .addColumn('record_hash', 'text', (column) => column.notNull())
    .addColumn('signature', 'text', (column) => column.notNull())
    .addColumn('inserted_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create trigger access_log_retention_records_append_only
    before update or delete on access_log_retention_records
    for each row execute function audit_refuse_change()`.execute(db);
  await sql`create trigger access_log_retention_records_no_truncate
    before truncate on access_log_retention_records
    for each statement execute function audit_refuse_change()`.execute(db);
}

export async function down<DB>(db: Kysely<DB>): Promise<void> {
  await db.schema.dropTable(ACCESS_LOG_RETENTION_TABLE).execute();
  await unpartitionLegacyTable(db, table, SHAPE);
  await sql`drop trigger ${sql.id(APPEND_ONLY_TRIGGER)} on access_log_records`.execute(db);
  await sql`drop trigger access_log_records_no_truncate on access_log_records`.execute(db);
}
