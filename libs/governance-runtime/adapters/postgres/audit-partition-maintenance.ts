/**
 * Keeps the partitioned audit tables ready for the entries to come: the partition of the
 * current interval (month, week or day: `partition-interval.ts`) and of the next `ahead`
 * intervals, created ahead of time (by `migrate`, by
 * `serve` at start and on a schedule), so that an insert never waits on DDL and the default
 * partition stays empty. Runs under one advisory lock, so that replicas starting together
 * create each partition once; each partition in its own transaction, so one that cannot be
 * made (the default partition already holds rows of its month) does not stop the others.
 *
 * @example
 * const { created, failed } = await ensureAuditPartitions(db, { interval: 'week' });
 */
import { type Kysely, sql } from 'kysely';
import {
  DEFAULT_INTERVALS_AHEAD,
  intervalStart,
  type PartitionInterval,
  partitionAt,
  partitionsBetween,
} from './partition-interval.js';
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
  /**
   * The length of the partitions made from now on. Default a month. Partitions already made
   * stay as they are, so the interval can be changed on a live trail: a new interval's
   * partitions begin where the existing ones end.
   */
  readonly interval?: PartitionInterval;
  /** Intervals after the current one to create ahead. Default `DEFAULT_INTERVALS_AHEAD`. */
  readonly ahead?: number;
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
 * Creates what is missing of the current interval's partition, the next `ahead` intervals'
 * and the default partition, for every partitioned audit table. An interval a partition
 * already covers, even in part (the legacy partition covers everything up to its bound; a
 * month made before the interval became a week covers that month's weeks), is left alone.
 */
export async function ensureAuditPartitions<DB>(
  db: Kysely<DB>,
  options: EnsurePartitionsOptions = {},
): Promise<PartitionMaintenanceResult> {
  const now = options.now ?? new Date();
  const interval = options.interval ?? 'month';
  const ahead = options.ahead ?? DEFAULT_INTERVALS_AHEAD[interval];
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
    const last = intervalStart(now, interval, ahead);
    const wanted: { name: string; bounds: { from: Date; to: Date } | 'default' }[] = [
      ...partitionsBetween(table.name, now, last, interval).map((p) => ({
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
          for (const piece of missingPieces(stored, partition)) {
            await createPartition(trx, table, piece.name, piece.bounds);
            created.push(piece.name);
          }
        });
      } catch (error) {
        if (db.isTransaction) throw error;
        failed.push({ name: partition.name, error });
      }
    }
  }
  return { created, failed };
}

type WantedPartition = {
  readonly name: string;
  readonly bounds: { readonly from: Date; readonly to: Date } | 'default';
};

/**
 * What must be made for `wanted` to exist: for the default partition, itself unless there is
 * one; for a range, each stretch of it that no range partition covers. A stretch shorter than
 * the whole range (the interval changed, and an older, longer partition covers part of it)
 * is named after its own first day, so that the new interval's partitions begin exactly where
 * the old ones end and no entry falls into the default partition in between.
 */
function missingPieces(
  stored: readonly StoredPartition[],
  wanted: WantedPartition,
): WantedPartition[] {
  if (wanted.bounds === 'default') {
    return stored.some((p) => p.isDefault) ? [] : [wanted];
  }
  const ranges = stored
    .filter((p) => !p.isDefault)
    .map((p) => ({
      start: p.from === null ? -Infinity : Date.parse(p.from),
      end: p.to === null ? Infinity : Date.parse(p.to),
    }))
    .sort((a, b) => a.start - b.start);
  const from = wanted.bounds.from.getTime();
  const to = wanted.bounds.to.getTime();
  const pieces: WantedPartition[] = [];
  let cursor = from;
  for (const range of ranges) {
    if (range.end <= cursor || range.start >= to) continue;
    if (range.start > cursor) pieces.push(piece(wanted, cursor, range.start));
    cursor = Math.max(cursor, range.end);
    if (cursor >= to) break;
  }
  if (cursor < to) pieces.push(piece(wanted, cursor, to));
  const names = new Set(stored.map((p) => p.name));
  // A stretch's name can be taken by a partition of another range (made under another interval).
  return pieces.map((p) => (names.has(p.name) ? { ...p, name: `${p.name}_2` } : p));
}

function piece(wanted: WantedPartition, start: number, end: number): WantedPartition {
  if (wanted.bounds !== 'default' && start === wanted.bounds.from.getTime()) {
    if (end === wanted.bounds.to.getTime()) return wanted;
  }
  const from = new Date(start);
  const table = wanted.name.replace(/_y\d{4}m\d{2}(d\d{2})?$/, '');
  return { name: partitionAt(table, from, 'day').name, bounds: { from, to: new Date(end) } };
}
