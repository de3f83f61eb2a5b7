/**
 * Migration 006: `access_log_records`, one row per answer to a read of the audit trail (see
 * `AccessLogRecord`), with the indexes its queries use: newest first by `(occurred_at, id)`,
 * alone and after a principal or a route, and a GIN index on `entry_ids` for "who read this
 * entry". A new table only, so replicas of the previous build are unaffected (see migration
 * 001 on additive migrations).
 */
import { type Kysely, sql } from 'kysely';

export const ACCESS_LOG_TABLE = 'access_log_records';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable(ACCESS_LOG_TABLE)
    .addColumn('id', 'uuid', (column) => column.primaryKey())
    .addColumn('occurred_at', 'timestamptz', (column) => column.notNull())
    .addColumn('principal_id', 'text', (column) => column.notNull())
    .addColumn('method', 'text', (column) => column.notNull())
    .addColumn('route', 'text', (column) => column.notNull())
    .addColumn('parameters', 'jsonb', (column) => column.notNull())
    .addColumn('status', 'smallint', (column) => column.notNull())
    .addColumn('entry_count', 'integer', (column) => column.notNull())
    .addColumn('entry_ids', sql`uuid[]`, (column) => column.notNull())
    .addColumn('request_id', 'text')
    .addColumn('client_request_id', 'text')
    .addColumn('client_address', 'text')
    .addColumn('user_agent', 'text')
    .addColumn('gateway_instance', 'text', (column) => column.notNull())
    .addColumn('inserted_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addCheckConstraint(
      'access_log_records_entry_count_check',
      sql`entry_count >= cardinality(entry_ids)`,
    )
    .execute();
  await db.schema
    .createIndex('access_log_records_occurred_at_idx')
    .on(ACCESS_LOG_TABLE)
    .columns(['occurred_at desc', 'id desc'])
    .execute();
  await db.schema
    .createIndex('access_log_records_principal_id_occurred_at_idx')
    .on(ACCESS_LOG_TABLE)
    .columns(['principal_id', 'occurred_at desc', 'id desc'])
    .execute();
  await db.schema
    .createIndex('access_log_records_route_occurred_at_idx')
    .on(ACCESS_LOG_TABLE)
    .columns(['route', 'occurred_at desc', 'id desc'])
    .execute();
  await db.schema
    .createIndex('access_log_records_entry_ids_idx')
    .on(ACCESS_LOG_TABLE)
    .using('gin')
    .column('entry_ids')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable(ACCESS_LOG_TABLE).execute();
}
