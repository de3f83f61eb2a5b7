/**
 * Migration 015: an index for every filter of `GET /governance/audit` (issue 12), each in the
 * order pages are read, `(<filter>, occurred_at desc, id desc)`, so that a filtered page walks
 * one index in order and stops after it, whatever the table holds. New: `action` and
 * `gateway_instance` (the filters of issue 14), and `decision_id`, whose index of migration 001
 * held the id alone, so that PostgreSQL preferred walking the time index and filtering on small
 * tables; the new one serves the filter on any table, and replaces the old one.
 *
 * Added to a live table (`partitioned-index.ts`): `policy-gateway migrate` builds each
 * partition's copy concurrently first (`prepareOnlineMigrations`), and this migration creates
 * the indexes on the parent alone and attaches the copies, a catalog change. Additive: a
 * replica of the previous build reads and writes as before.
 */
import type { Kysely } from 'kysely';
import { createPartitionedIndex, type PartitionedIndex } from '../partitioned-index.js';

const table = 'audit_log_entries';

/** Migration 001's index on `decision_id` alone, which `DECISION_ID_INDEX` replaces. */
const SINGLE_COLUMN_DECISION_ID_INDEX: PartitionedIndex = {
  table,
  name: 'audit_log_entries_decision_id_idx',
  columns: '(decision_id)',
};

export const DECISION_ID_INDEX = 'audit_log_entries_decision_id_occurred_at_idx';
export const ACTION_INDEX = 'audit_log_entries_action_occurred_at_idx';
export const GATEWAY_INSTANCE_INDEX = 'audit_log_entries_gateway_instance_occurred_at_idx';

/** The indexes this migration adds, which `prepareOnlineMigrations` builds online first. */
export const AUDIT_FILTER_INDEXES: readonly PartitionedIndex[] = Object.freeze([
  { table, name: DECISION_ID_INDEX, columns: '(decision_id, occurred_at desc, id desc)' },
  { table, name: ACTION_INDEX, columns: '(action, occurred_at desc, id desc)' },
  { table, name: GATEWAY_INSTANCE_INDEX, columns: '(gateway_instance, occurred_at desc, id desc)' },
]);

export async function up<DB>(db: Kysely<DB>): Promise<void> {
  for (const index of AUDIT_FILTER_INDEXES) await createPartitionedIndex(db, index);
  // Dropping a partitioned index drops its copies: a catalog change and each copy's file.
  await db.schema.dropIndex(SINGLE_COLUMN_DECISION_ID_INDEX.name).execute();
}

export async function down<DB>(db: Kysely<DB>): Promise<void> {
  await createPartitionedIndex(db, SINGLE_COLUMN_DECISION_ID_INDEX);
  for (const index of AUDIT_FILTER_INDEXES) await db.schema.dropIndex(index.name).execute();
}
