/**
 * A PGlite database in a fresh temporary directory, migrated, for tests that need the
 * embedded backend. Initialising a directory takes seconds: share one per test file.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { Migrator } from 'kysely/migration';
import type { AuditLogDatabase } from '../adapters/postgres/audit-log-database.js';
import { auditLogMigrationProvider } from '../adapters/postgres/audit-log-migrations.js';
import { openPgliteAuditLogDatabase } from '../adapters/postgres/open-pglite-audit-log-database.js';

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
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'governance-runtime-test-pglite-'));
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
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Applies the library's migrations, throwing the first failure. */
export async function migrateAuditLogToLatest(db: Kysely<AuditLogDatabase>): Promise<void> {
  const { error } = await new Migrator({
    db,
    provider: auditLogMigrationProvider,
  }).migrateToLatest();
  if (error !== undefined) throw error;
}
