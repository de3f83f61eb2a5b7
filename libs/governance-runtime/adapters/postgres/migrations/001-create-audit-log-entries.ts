/**
 * Migration 001: the `audit_log_entries` table and the indexes its queries use.
 *
 * Migrations are additive only: a later one may add tables, nullable columns or
 * indexes, never drop, rename or retype what a released build reads. During a rollout
 * old replicas keep serving against a schema a newer build migrated, and that only
 * works if the old columns stay as they were. `down` exists for development databases.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('audit_log_entries')
    .addColumn('id', 'uuid', (column) => column.primaryKey())
    .addColumn('decision_id', 'text', (column) => column.notNull())
    // timestamptz keeps microseconds (its default precision is 6).
    .addColumn('occurred_at', 'timestamptz', (column) => column.notNull())
    .addColumn('user_id', 'text', (column) => column.notNull())
    .addColumn('action', 'text', (column) => column.notNull())
    .addColumn('decision', 'text', (column) => column.notNull())
    .addColumn('reasons', 'jsonb', (column) => column.notNull())
    .addColumn('policy_path', 'text', (column) => column.notNull())
    .addColumn('policy_version', 'text', (column) => column.notNull())
    .addColumn('policy_engine', 'text', (column) => column.notNull())
    .addColumn('input', 'jsonb', (column) => column.notNull())
    .addColumn('result', 'jsonb')
    .addColumn('error', 'text')
    .addColumn('latency_ms', 'double precision', (column) => column.notNull())
    .addColumn('request_id', 'text')
    .addColumn('client_address', 'text')
    .addColumn('user_agent', 'text')
    .addColumn('gateway_instance', 'text', (column) => column.notNull())
    .addColumn('inserted_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addCheckConstraint(
      'audit_log_entries_decision_check',
      sql`decision in ('allow', 'deny', 'error')`,
    )
    .execute();

  // Every query orders newest first by (occurred_at, id) and pages by keyset, so each
  // index ends in those two columns, descending, after its equality filter.
  await db.schema
    .createIndex('audit_log_entries_occurred_at_idx')
    .on('audit_log_entries')
    .columns(['occurred_at desc', 'id desc'])
    .execute();
  await db.schema
    .createIndex('audit_log_entries_user_id_occurred_at_idx')
    .on('audit_log_entries')
    .columns(['user_id', 'occurred_at desc', 'id desc'])
    .execute();
  await db.schema
    .createIndex('audit_log_entries_decision_occurred_at_idx')
    .on('audit_log_entries')
    .columns(['decision', 'occurred_at desc', 'id desc'])
    .execute();
  await db.schema
    .createIndex('audit_log_entries_policy_path_occurred_at_idx')
    .on('audit_log_entries')
    .columns(['policy_path', 'occurred_at desc', 'id desc'])
    .execute();
  await db.schema
    .createIndex('audit_log_entries_decision_id_idx')
    .on('audit_log_entries')
    .column('decision_id')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('audit_log_entries').execute();
}
