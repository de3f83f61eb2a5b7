/**
 * The part of pending migrations that can run before them, outside a transaction, while
 * writers go on: `policy-gateway migrate` calls it first, so that the migrations' own
 * transaction (Kysely's `Migrator` runs all pending ones in one) only changes the catalog.
 * Today that is validating the bound of the table migration 010 partitions; a database that
 * skips this step still migrates, holding writers off while the migration reads the table.
 *
 * @example
 * await prepareOnlineMigrations(db); // then new Migrator(…).migrateToLatest()
 */
import type { Kysely } from 'kysely';
import { AUDIT_LOG_ENTRIES_PARTITIONING } from './partitioned-audit-tables.js';
import { prepareLegacyPartition } from './prepare-legacy-partition.js';

export interface PreparedMigrations {
  /** Tables readied for partitioning, with the bound of their legacy partition. */
  readonly partitioning: readonly { readonly table: string; readonly bound: string }[];
}

export async function prepareOnlineMigrations<DB>(db: Kysely<DB>): Promise<PreparedMigrations> {
  if (db.isTransaction) throw new Error('prepareOnlineMigrations must run outside a transaction');
  const partitioning: { table: string; bound: string }[] = [];
  for (const table of [AUDIT_LOG_ENTRIES_PARTITIONING]) {
    const bound = await prepareLegacyPartition(db, table);
    if (bound !== null) partitioning.push({ table: table.name, bound });
  }
  return { partitioning };
}
