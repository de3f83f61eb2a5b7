/**
 * Applies and inspects the schema migrations with Kysely's `Migrator`: it takes a lock (so
 * concurrent `migrate` runs are safe), skips what is applied (so re-running is a no-op) and
 * runs the pending migrations in a transaction (so a failed run leaves the schema as it was).
 * The migrations are the audit library's registry: the schema belongs to the library, and the
 * gateway ships exactly its list (new ones are additive, see the library's migration 001).
 */
import {
  AUDIT_LOG_MIGRATION_NAMES,
  auditLogMigrations,
} from '@policy-gateway/governance-runtime/postgres';
import { type Kysely, sql } from 'kysely';
import { type Migration, type MigrationResult, Migrator } from 'kysely/migration';
import type { SchemaState } from './schema-state.js';

export const MIGRATION_TABLE = 'kysely_migration';

export interface MigrationStatus {
  readonly applied: readonly { readonly name: string; readonly executedAt: string }[];
  readonly pending: readonly string[];
  /** Applied by a newer build; this build does not know them. */
  readonly unknown: readonly string[];
  readonly state: Exclude<SchemaState, 'unknown'>;
}

export interface MigrateOutcome {
  readonly results: readonly MigrationResult[];
  /** Why the run stopped; undefined when every pending migration was applied. */
  readonly error?: unknown;
}

function migrator<DB>(db: Kysely<DB>, migrations: Readonly<Record<string, Migration>>): Migrator {
  return new Migrator({
    db,
    provider: { getMigrations: async () => ({ ...migrations }) },
    migrationTableName: MIGRATION_TABLE,
  });
}

/**
 * Applies every pending migration; never throws, the outcome says what happened.
 * `migrations` is this build's list; tests pass others (e.g. one that fails).
 */
export async function migrateToLatest<DB>(
  db: Kysely<DB>,
  migrations: Readonly<Record<string, Migration>> = auditLogMigrations,
): Promise<MigrateOutcome> {
  const { error, results } = await migrator(db, migrations).migrateToLatest();
  return { results: results ?? [], ...(error === undefined ? {} : { error }) };
}

/**
 * Reads which migrations the database has, without creating anything (`serve` and
 * `migrate status` must not change the schema).
 */
export async function migrationStatus<DB>(db: Kysely<DB>): Promise<MigrationStatus> {
  const { rows } = await sql<{ present: boolean }>`
    select to_regclass(${MIGRATION_TABLE}) is not null as present`.execute(db);
  const applied = rows[0]?.present
    ? (
        await sql<{ name: string; timestamp: string }>`
          select name, timestamp from ${sql.table(MIGRATION_TABLE)} order by name`.execute(db)
      ).rows.map((row) => ({ name: row.name, executedAt: row.timestamp }))
    : [];
  const appliedNames = new Set(applied.map((migration) => migration.name));
  const pending = AUDIT_LOG_MIGRATION_NAMES.filter((name) => !appliedNames.has(name));
  const unknown = [...appliedNames].filter((name) => !AUDIT_LOG_MIGRATION_NAMES.includes(name));
  const state = pending.length > 0 ? 'behind' : unknown.length > 0 ? 'ahead' : 'current';
  return { applied, pending, unknown, state };
}
