/**
 * The catalog steps that turn a plain table into a table partitioned by `occurred_at`
 * (migrations 010 and 018), and back for `down`. The old table is renamed, a partitioned
 * parent of the same shape takes its name, and the old table is attached as the partition of
 * everything before its bound (see `prepareLegacyPartition`), its indexes and constraints
 * renamed so that the parent's can take the original names. Every index the parent declares
 * matches one the old table has, so ATTACH adopts them instead of building any.
 */
import { type Kysely, sql } from 'kysely';
import { ensureAuditPartitions } from './audit-partition-maintenance.js';
import type { PartitionedAuditTable } from './partitioned-audit-tables.js';
import { legacyBoundConstraint, prepareLegacyPartition } from './prepare-legacy-partition.js';

export interface LegacyTableShape {
  /** Indexes the parent declares: their names on the old table, and how they are built. */
  readonly parentIndexes: readonly { readonly name: string; readonly columns: string }[];
  /** Unique indexes or constraints the old table keeps as its own, and their new names. */
  readonly localRenames: readonly {
    readonly from: string;
    readonly to: string;
    readonly constraint: boolean;
  }[];
  /** Row triggers of the old table the parent declares instead (cloned back onto it). */
  readonly rowTriggers: readonly { readonly name: string; readonly definition: string }[];
}

export async function partitionLegacyTable<DB>(
  db: Kysely<DB>,
  table: PartitionedAuditTable,
  shape: LegacyTableShape,
): Promise<void> {
  const bound = await prepareLegacyPartition(db, table);
  if (bound === null) return;
  const parent = sql.id(table.name);
  const legacy = sql.id(table.legacyPartition);
  for (const trigger of shape.rowTriggers) {
    await sql`drop trigger ${sql.id(trigger.name)} on ${parent}`.execute(db);
  }
  await sql`alter table ${parent} rename to ${legacy}`.execute(db);
  for (const index of shape.parentIndexes) {
    await sql`alter index ${sql.id(index.name)} rename to ${sql.id(legacyIndexName(table, index.name))}`.execute(
      db,
    );
  }
  for (const local of shape.localRenames) {
    await (local.constraint
      ? sql`alter table ${legacy} rename constraint ${sql.id(local.from)} to ${sql.id(local.to)}`
      : sql`alter index ${sql.id(local.from)} rename to ${sql.id(local.to)}`
    ).execute(db);
  }
  await sql`create table ${parent} (like ${legacy} including defaults including constraints)
    partition by range (occurred_at)`.execute(db);
  await sql`alter table ${parent} drop constraint ${sql.id(legacyBoundConstraint(table))}`.execute(
    db,
  );
  for (const index of shape.parentIndexes) {
    await sql`create index ${sql.id(index.name)} on ${parent} ${sql.raw(index.columns)}`.execute(
      db,
    );
  }
  // No scan: the validated bound constraint implies the partition's range.
  await sql`alter table ${parent} attach partition ${legacy}
    for values from (minvalue) to (${sql.lit(bound)})`.execute(db);
  for (const trigger of shape.rowTriggers) {
    await sql`create trigger ${sql.id(trigger.name)} ${sql.raw(trigger.definition)}`.execute(db);
  }
  await ensureAuditPartitions(db);
}

/** The name an index of the parent has on the legacy partition. */
export function legacyIndexName(table: PartitionedAuditTable, parentIndex: string): string {
  return `${table.legacyPartition}${parentIndex.slice(table.name.length)}`;
}

/**
 * `down`: every row back in the old table, which takes its name, indexes and triggers again;
 * the parent and its other partitions are dropped.
 */
export async function unpartitionLegacyTable<DB>(
  db: Kysely<DB>,
  table: PartitionedAuditTable,
  shape: LegacyTableShape,
): Promise<void> {
  const parent = sql.id(table.name);
  const legacy = sql.id(table.legacyPartition);
  await sql`alter table ${parent} detach partition ${legacy}`.execute(db);
  await sql`alter table ${legacy} drop constraint ${sql.id(legacyBoundConstraint(table))}`.execute(
    db,
  );
  await sql`insert into ${legacy} select * from ${parent}`.execute(db);
  await sql`drop table ${parent}`.execute(db);
  for (const trigger of shape.rowTriggers) {
    await sql`drop trigger if exists ${sql.id(trigger.name)} on ${legacy}`.execute(db);
  }
  await sql`alter table ${legacy} rename to ${parent}`.execute(db);
  for (const index of shape.parentIndexes) {
    await sql`alter index ${sql.id(legacyIndexName(table, index.name))} rename to ${sql.id(index.name)}`.execute(
      db,
    );
  }
  for (const local of shape.localRenames) {
    await (local.constraint
      ? sql`alter table ${parent} rename constraint ${sql.id(local.to)} to ${sql.id(local.from)}`
      : sql`alter index ${sql.id(local.to)} rename to ${sql.id(local.from)}`
    ).execute(db);
  }
  for (const trigger of shape.rowTriggers) {
    await sql`create trigger ${sql.id(trigger.name)} ${sql.raw(trigger.definition)}`.execute(db);
  }
}
