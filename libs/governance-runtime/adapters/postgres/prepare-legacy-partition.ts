/**
 * Readies a table that is about to become partitioned (migrations 010, 018) so that the
 * migration itself only changes the catalog: the table is attached whole as the partition of
 * every time before a month boundary, and PostgreSQL skips reading it to check that bound
 * when a validated CHECK constraint already proves it. Validating takes a SHARE UPDATE
 * EXCLUSIVE lock, which lets writers go on, so run outside a transaction (`migrate` does,
 * before its migrations), it reads millions of rows without blocking an insert; adding the
 * constraint NOT VALID first is a catalog change. Run inside the migration's transaction (a
 * database `migrate` did not prepare, as in tests) the same steps hold writers off while
 * they read the table.
 *
 * The bound is the first month boundary at least a day away (or after the newest row), so
 * that rows written between this step and the migration still satisfy it.
 */
import { type Kysely, sql } from 'kysely';
import type { PartitionedAuditTable } from './partitioned-audit-tables.js';

/** The CHECK constraint bounding the legacy partition; dropped from the parent after `like`. */
export function legacyBoundConstraint(table: PartitionedAuditTable): string {
  return `${table.name}_legacy_bound`;
}

/**
 * Adds and validates the legacy bound (unless there) and validates the constraints ATTACH
 * needs valid. Returns the bound (canonical RFC 3339), or null when `table` is partitioned
 * already or does not exist.
 */
export async function prepareLegacyPartition<DB>(
  db: Kysely<DB>,
  table: PartitionedAuditTable,
): Promise<string | null> {
  const { rows } = await sql<{ kind: string | null }>`
    select relkind::text as kind from pg_class
     where oid = to_regclass(${table.name})`.execute(db);
  if (rows[0]?.kind !== 'r') return null;
  const constraint = legacyBoundConstraint(table);
  let bound = await storedBound(db, table, constraint);
  if (bound === null) {
    const { rows: computed } = await sql<{ bound: string }>`
      select to_char(date_trunc('month', greatest(now() + interval '1 day',
                       (select max(occurred_at) from ${sql.id(table.name)})) at time zone 'UTC')
                     + interval '1 month', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as bound`.execute(db);
    bound = computed[0]!.bound;
    await sql`alter table ${sql.id(table.name)} add constraint ${sql.id(constraint)}
      check (occurred_at < ${sql.lit(bound)}::timestamptz) not valid`.execute(db);
  }
  // The bound, and any other NOT VALID constraint (migration 007's chain check): ATTACH
  // refuses a partition whose constraint is weaker than the parent's.
  const { rows: unvalidated } = await sql<{ name: string }>`
    select conname as name from pg_constraint
     where conrelid = to_regclass(${table.name}) and contype = 'c' and not convalidated`.execute(
    db,
  );
  for (const { name } of unvalidated) {
    await sql`alter table ${sql.id(table.name)} validate constraint ${sql.id(name)}`.execute(db);
  }
  return bound;
}

async function storedBound<DB>(
  db: Kysely<DB>,
  table: PartitionedAuditTable,
  constraint: string,
): Promise<string | null> {
  const { rows } = await sql<{ bound: string | null }>`
    select to_char(((regexp_match(pg_get_constraintdef(oid), '''([^'']*)''::timestamp'))[1])::timestamptz
                   at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as bound
      from pg_constraint
     where conrelid = to_regclass(${table.name}) and conname = ${constraint}`.execute(db);
  return rows[0]?.bound ?? null;
}
