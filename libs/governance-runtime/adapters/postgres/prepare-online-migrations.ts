/**
 * The part of pending migrations that can run before them, outside a transaction, while
 * writers go on: `policy-gateway migrate` calls it first, so that the migrations' own
 * transaction (Kysely's `Migrator` runs all pending ones in one) only changes the catalog.
 * Today that is validating the bound of the tables migrations 010 and 018 partition, and building each
 * partition's copy of migration 015's indexes concurrently (`partitioned-index.ts`); a
 * database that skips this step still migrates, holding writers off while the migrations read
 * the table.
 *
 * @example
 * await prepareOnlineMigrations(db); // then new Migrator(…).migrateToLatest()
 */
import type { Kysely } from 'kysely';
import { AUDIT_FILTER_INDEXES } from './migrations/015-index-audit-filters.js';
import {
  ACCESS_LOG_RECORDS_PARTITIONING,
  AUDIT_LOG_ENTRIES_PARTITIONING,
} from './partitioned-audit-tables.js';
import { buildPartitionCopiesOnline } from './partitioned-index.js';
import { prepareLegacyPartition } from './prepare-legacy-partition.js';

export interface PreparedMigrations {
  /** Tables readied for partitioning, with the bound of their legacy partition. */
  readonly partitioning: readonly { readonly table: string; readonly bound: string }[];
  /** Partitions' copies of pending indexes, built concurrently, for the migrations to attach. */
  readonly indexCopies: readonly string[];
}

export async function prepareOnlineMigrations<DB>(db: Kysely<DB>): Promise<PreparedMigrations> {
  if (db.isTransaction) throw new Error('prepareOnlineMigrations must run outside a transaction');
  const partitioning: { table: string; bound: string }[] = [];
  for (const table of [AUDIT_LOG_ENTRIES_PARTITIONING, ACCESS_LOG_RECORDS_PARTITIONING]) {
    const bound = await prepareLegacyPartition(db, table);
    if (bound !== null) partitioning.push({ table: table.name, bound });
  }
  const indexCopies: string[] = [];
  for (const index of AUDIT_FILTER_INDEXES) {
    indexCopies.push(...(await buildPartitionCopiesOnline(db, index)));
  }
  return { partitioning, indexCopies };
}
