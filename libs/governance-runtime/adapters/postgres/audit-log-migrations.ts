/**
 * The library's migrations, in order, for Kysely's `Migrator`. Keys are the migration
 * names recorded in the database, so they must never change once released.
 *
 * @example
 * const migrator = new Migrator({ db, provider: auditLogMigrationProvider });
 * const { error, results } = await migrator.migrateToLatest();
 */
import type { Migration, MigrationProvider } from 'kysely/migration';
import * as createAuditLogEntries from './migrations/001-create-audit-log-entries.js';

export const auditLogMigrations: Readonly<Record<string, Migration>> = Object.freeze({
  '001_create_audit_log_entries': createAuditLogEntries,
});

/** The name of the newest migration this build knows. */
export const AUDIT_LOG_LATEST_MIGRATION = '001_create_audit_log_entries';

export const auditLogMigrationProvider: MigrationProvider = {
  async getMigrations() {
    return { ...auditLogMigrations };
  },
};
