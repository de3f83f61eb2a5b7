/**
 * An index of a partitioned table added to a live, full table. PostgreSQL cannot build an
 * index on a partitioned table CONCURRENTLY, and a plain CREATE INDEX holds writers off while
 * it reads every partition. So the index is made in two steps: each partition's copy is built
 * CONCURRENTLY first, outside a transaction, while writers go on (`buildPartitionCopiesOnline`,
 * which `policy-gateway migrate` runs before the migrations); then the migration creates the
 * index on the parent alone (`ON ONLY`, a catalog change) and attaches each copy to it
 * (`createPartitionedIndex`). A copy the first step did not build (a database `migrate` did not
 * prepare, as in tests, or a partition made in between) is built in the migration, holding
 * writers off while it reads that partition. Once every partition's copy is attached, the
 * parent's index is valid, and PostgreSQL creates it on each new partition itself.
 */
import { type Kysely, sql } from 'kysely';

export interface PartitionedIndex {
  /** The partitioned table. */
  readonly table: string;
  /** The parent's index, `<table>_<…>`; each partition's copy is `<partition>_<…>`. */
  readonly name: string;
  /** `(columns)`, as after `create index … on <table>`. */
  readonly columns: string;
}

/** The name of `index`'s copy on `partition`: the parent's name with the partition's prefix. */
export function partitionCopyName(index: PartitionedIndex, partition: string): string {
  return `${partition}${index.name.slice(index.table.length)}`;
}

/**
 * Outside a transaction: builds `index`'s copy on each partition of its table that lacks a
 * valid one, with CREATE INDEX CONCURRENTLY (a copy left invalid by an interrupted build is
 * dropped and built again). Does nothing when the parent has the index already, or the table
 * is not partitioned (yet). Returns the copies it built.
 */
export async function buildPartitionCopiesOnline<DB>(
  db: Kysely<DB>,
  index: PartitionedIndex,
): Promise<string[]> {
  if (db.isTransaction)
    throw new Error('buildPartitionCopiesOnline must run outside a transaction');
  if (!(await isPartitioned(db, index.table)) || (await indexState(db, index.name)) !== 'absent') {
    return [];
  }
  const built: string[] = [];
  for (const partition of await partitionsOf(db, index.table)) {
    const copy = partitionCopyName(index, partition);
    const state = await indexState(db, copy);
    if (state === 'valid') continue;
    if (state === 'invalid') await sql`drop index concurrently ${sql.id(copy)}`.execute(db);
    await sql`create index concurrently ${sql.id(copy)}
      on ${sql.id(partition)} ${sql.raw(index.columns)}`.execute(db);
    built.push(copy);
  }
  return built;
}

/**
 * In a migration: `index` on the parent alone, then each partition's copy attached to it,
 * built first where `buildPartitionCopiesOnline` did not. The parent's index is valid once
 * every copy is attached.
 */
export async function createPartitionedIndex<DB>(
  db: Kysely<DB>,
  index: PartitionedIndex,
): Promise<void> {
  await sql`create index ${sql.id(index.name)} on only ${sql.id(index.table)} ${sql.raw(index.columns)}`.execute(
    db,
  );
  for (const partition of await partitionsOf(db, index.table)) {
    const copy = partitionCopyName(index, partition);
    const state = await indexState(db, copy);
    if (state === 'invalid') await sql`drop index ${sql.id(copy)}`.execute(db);
    if (state !== 'valid') {
      await sql`create index ${sql.id(copy)} on ${sql.id(partition)} ${sql.raw(index.columns)}`.execute(
        db,
      );
    }
    await sql`alter index ${sql.id(index.name)} attach partition ${sql.id(copy)}`.execute(db);
  }
}

async function isPartitioned<DB>(db: Kysely<DB>, table: string): Promise<boolean> {
  const { rows } = await sql<{ kind: string | null }>`
    select relkind::text as kind from pg_class where oid = to_regclass(${table})`.execute(db);
  return rows[0]?.kind === 'p';
}

async function partitionsOf<DB>(db: Kysely<DB>, table: string): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`
    select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid
     where i.inhparent = to_regclass(${table}) order by c.relname`.execute(db);
  return rows.map((row) => row.name);
}

async function indexState<DB>(
  db: Kysely<DB>,
  name: string,
): Promise<'absent' | 'valid' | 'invalid'> {
  const { rows } = await sql<{ valid: boolean }>`
    select indisvalid as valid from pg_index where indexrelid = to_regclass(${name})`.execute(db);
  if (rows.length === 0) return 'absent';
  return rows[0]!.valid ? 'valid' : 'invalid';
}
