/**
 * Keeps the partitioned audit tables ready for the entries to come: the partition of the
 * current month and of the next `monthsAhead` months, created ahead of time (by `migrate`, by
 * `serve` at start and on a schedule), so that an insert never waits on DDL and the default
 * partition stays empty. Runs under one advisory lock, so that replicas starting together
 * create each partition once; each partition in its own transaction, so one that cannot be
 * made (the default partition already holds rows of its month) does not stop the others.
 *
 * @example
 * const { created, failed } = await ensureAuditPartitions(db, { monthsAhead: 2 });
 */
import { type Kysely, sql } from 'kysely';
import { monthlyPartitions } from './monthly-partition.js';
import {
  ACCESS_LOG_RECORDS_PARTITIONING,
  AUDIT_LOG_ENTRIES_PARTITIONING,
  type PartitionedAuditTable,
} from './partitioned-audit-tables.js';

export interface StoredPartition {
  readonly table: string;
  readonly name: string;
  /** Canonical RFC 3339 (UTC), inclusive; null for MINVALUE and the default partition. */
  readonly from: string | null;
  /** Exclusive; null for MAXVALUE and the default partition. */
  readonly to: string | null;
  readonly isDefault: boolean;
}

export interface EnsurePartitionsOptions {
  /** Default: the current time. */
  readonly now?: Date;
  /** Months after the current one to create ahead. Default 2. */
  readonly monthsAhead?: number;
}

export interface PartitionMaintenanceResult {
  readonly created: readonly string[];
  readonly failed: readonly { readonly name: string; readonly error: unknown }[];
}

const LOCK = sql`hashtextextended('policy-gateway/audit-partitions', 0)`;

/** The tables partitioned by time, as far as the schema has them (migrations 010, 018). */
export async function partitionedTables<DB>(db: Kysely<DB>): Promise<PartitionedAuditTable[]> {
  const { rows } = await sql<{ name: string }>`
    select relname as name from pg_class
     where relkind = 'p' and relname in (${AUDIT_LOG_ENTRIES_PARTITIONING.name}, ${ACCESS_LOG_RECORDS_PARTITIONING.name})
       and relnamespace = to_regnamespace(current_schema())`.execute(db);
  const names = new Set(rows.map((row) => row.name));
  return [AUDIT_LOG_ENTRIES_PARTITIONING, ACCESS_LOG_RECORDS_PARTITIONING].filter((table) =>
    names.has(table.name),
  );
}

/** The partitions of `table`, oldest first, the default partition last. */
export async function listPartitions<DB>(
  db: Kysely<DB>,
  table: PartitionedAuditTable,
): Promise<StoredPartition[]> {
  // The bounds are printed in the session's time zone and read back in it, then formatted in
  // UTC, so that the result does not depend on the server's TimeZone.
  const { rows } = await sql<{
    name: string;
    from: string | null;
    to: string | null;
    bound: string;
  }>`
    with bounds as (
      select c.relname as name, pg_get_expr(c.relpartbound, c.oid) as bound
        from pg_inherits i join pg_class c on c.oid = i.inhrelid
       where i.inhparent = ${table.name}::regclass)
    select name, bound,
           to_char(((regexp_match(bound, 'FROM \\(''([^'']*)''\\)'))[1])::timestamptz at time zone 'UTC',
                   'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as "from",
           to_char(((regexp_match(bound, 'TO \\(''([^'']*)''\\)'))[1])::timestamptz at time zone 'UTC',
                   'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as "to"
      from bounds`.execute(db);
  return rows
    .map((row) => ({
      table: table.name,
      name: row.name,
      from: row.from,
      to: row.to,
      isDefault: row.bound === 'DEFAULT',
    }))
    .sort(byRange);
}

function byRange(a: StoredPartition, b: StoredPartition): number {
  if (a.isDefault !== b.isDefault) return a.isDefault ? 1 : -1;
  return (a.from ?? '').localeCompare(b.from ?? '');
}

/**
 * Creates `name` as the partition of `table` for `[from, to)` (or its default partition when
 * `bounds` is `'default'`), with the unique indexes each partition holds by itself and, for
 * an append-only table, the trigger refusing TRUNCATE. The caller holds a transaction.
 */
export async function createPartition<DB>(
  db: Kysely<DB>,
  table: PartitionedAuditTable,
  name: string,
  bounds: { readonly from: Date; readonly to: Date } | 'default',
): Promise<void> {
  const range =
    bounds === 'default'
      ? sql`default`
      : sql`for values from (${sql.lit(bounds.from.toISOString())}) to (${sql.lit(bounds.to.toISOString())})`;
  await sql`create table ${sql.id(name)} partition of ${sql.id(table.name)} ${range}`.execute(db);
  await addPartitionLocals(db, table, name);
}

/** The unique indexes and the TRUNCATE trigger a partition of `table` holds by itself. */
export async function addPartitionLocals<DB>(
  db: Kysely<DB>,
  table: PartitionedAuditTable,
  name: string,
): Promise<void> {
  for (const index of table.localUniqueIndexes) {
    await sql`create unique index if not exists ${sql.id(`${name}_${index.suffix}`)}
      on ${sql.id(name)} ${index.definition}`.execute(db);
  }
  if (table.appendOnly) {
    await sql`create trigger ${sql.id(`${name}_no_truncate`)} before truncate on ${sql.id(name)}
      for each statement execute function audit_refuse_change()`.execute(db);
  }
}

/**
 * Creates what is missing of the current month's partition, the next `monthsAhead` months'
 * and the default partition, for every partitioned audit table. A month a partition already
 * covers (the legacy partition covers every month up to its bound) is left alone.
 */
export async function ensureAuditPartitions<DB>(
  db: Kysely<DB>,
  options: EnsurePartitionsOptions = {},
): Promise<PartitionMaintenanceResult> {
  const now = options.now ?? new Date();
  const monthsAhead = options.monthsAhead ?? 2;
  const created: string[] = [];
  const failed: { name: string; error: unknown }[] = [];
  const inTransaction = (work: (trx: Kysely<DB>) => Promise<void>) =>
    db.isTransaction
      ? work(db)
      : db.transaction().execute(async (trx) => {
          await sql`select pg_advisory_xact_lock(${LOCK})`.execute(trx);
          await work(trx);
        });
  for (const table of await partitionedTables(db)) {
    const last = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + monthsAhead, 1));
    const wanted: { name: string; bounds: { from: Date; to: Date } | 'default' }[] = [
      ...monthlyPartitions(table.name, now, last).map((p) => ({
        name: p.name,
        bounds: { from: p.from, to: p.to },
      })),
      { name: table.defaultPartition, bounds: 'default' as const },
    ];
    for (const partition of wanted) {
      try {
        await inTransaction(async (trx) => {
          // Read again under the lock: another replica may have made it meanwhile.
          const stored = await listPartitions(trx, table);
          if (isCovered(stored, partition.name, partition.bounds)) return;
          await createPartition(trx, table, partition.name, partition.bounds);
          created.push(partition.name);
        });
      } catch (error) {
        if (db.isTransaction) throw error;
        failed.push({ name: partition.name, error });
      }
    }
  }
  return { created, failed };
}

function isCovered(
  stored: readonly StoredPartition[],
  name: string,
  bounds: { from: Date; to: Date } | 'default',
): boolean {
  if (stored.some((p) => p.name === name)) return true;
  if (bounds === 'default') return stored.some((p) => p.isDefault);
  const from = bounds.from.getTime();
  const to = bounds.to.getTime();
  return stored.some((p) => {
    if (p.isDefault) return false;
    const start = p.from === null ? -Infinity : Date.parse(p.from);
    const end = p.to === null ? Infinity : Date.parse(p.to);
    return start < to && from < end;
  });
}
