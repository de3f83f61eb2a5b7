/**
 * A PGlite database in a fresh temporary directory, migrated, for tests that need the
 * embedded backend. Initialising a directory takes seconds: share one per test file.
 */
import { rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Kysely } from 'kysely';
import { Migrator } from 'kysely/migration';
import type { AuditLogDatabase } from '../adapters/postgres/audit-log-database.js';
import { auditLogMigrationProvider } from '../adapters/postgres/audit-log-migrations.js';
import { openPgliteAuditLogDatabase } from '../adapters/postgres/open-pglite-audit-log-database.js';
import { createOwnedTempDir, removeOrphanedTempDirs } from './owned-temp-dir.js';

const DIR_PREFIX = 'governance-runtime-test-pglite-';

export interface TestPglite {
  readonly db: Kysely<AuditLogDatabase>;
  readonly dataDir: string;
  /** Closes the database and keeps the directory (to reopen it). */
  close(): Promise<void>;
  /** Closes the database and deletes the directory. */
  remove(): Promise<void>;
}

/** Opens (creating when `dataDir` is omitted) a PGlite directory and applies the migrations. */
export async function openTestPglite(dataDir?: string): Promise<TestPglite> {
  let dir = dataDir;
  if (dir === undefined) {
    removeOrphanedTempDirs(DIR_PREFIX, () => undefined);
    dir = join(createOwnedTempDir(DIR_PREFIX), 'data');
  }
  const madeHere = basename(dirname(dir)).startsWith(DIR_PREFIX);
  const { db } = await openPgliteAuditLogDatabase(dir);
  await migrateAuditLogToLatest(db);
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await db.destroy();
  };
  return {
    db,
    dataDir: dir,
    close,
    async remove() {
      await close();
      // A directory this helper made goes with its owner file.
      rmSync(madeHere ? dirname(dir) : dir, { recursive: true, force: true });
    },
  };
}

/**
 * Applies the library's migrations, throwing the first failure. `schema`: the schema the
 * connection's search path puts first, when not `public` (the migrator keeps its own tables
 * there too, instead of finding another schema's).
 */
export async function migrateAuditLogToLatest(
  db: Kysely<AuditLogDatabase>,
  schema?: string,
): Promise<void> {
  const { error } = await new Migrator({
    db,
    provider: auditLogMigrationProvider,
    ...(schema !== undefined && { migrationTableSchema: schema }),
  }).migrateToLatest();
  if (error !== undefined) throw error;
}
