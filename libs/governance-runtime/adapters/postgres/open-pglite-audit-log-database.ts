/**
 * Opens a Kysely over an embedded PGlite database in a data directory (or in memory), in
 * this thread or on a thread of its own (`openThreadedPgliteAuditLogDatabase`, for a server).
 * PGlite is single-process: nothing stops a second process opening the same directory
 * and corrupting it, so callers that may run twice must lock the directory themselves.
 */
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PGliteDialect } from 'kysely';
import type { AuditLogDatabase } from './audit-log-database.js';
import { PgliteThread } from './pglite-thread.js';

export interface PgliteAuditLogDatabase {
  readonly db: Kysely<AuditLogDatabase>;
  readonly pglite: PGlite;
  /**
   * Closes Kysely and PGlite; use it rather than `db.destroy()`, which leaves PGlite (and
   * the data directory) open when no query has run yet.
   */
  close(): Promise<void>;
}

/**
 * @param dataDir a directory (created when missing; ~7 s to initialise, ~1 s to reopen),
 *   or `memory://` for a database that is not durable.
 */
export async function openPgliteAuditLogDatabase(dataDir: string): Promise<PgliteAuditLogDatabase> {
  const pglite = await PGlite.create(dataDir);
  const db = new Kysely<AuditLogDatabase>({ dialect: new PGliteDialect({ pglite }) });
  return {
    db,
    pglite,
    async close() {
      await db.destroy();
      if (!pglite.closed) await pglite.close();
    },
  };
}

export interface ThreadedPgliteAuditLogDatabase {
  readonly db: Kysely<AuditLogDatabase>;
  /** Closes Kysely, then PGlite and its thread. */
  close(): Promise<void>;
}

/**
 * The same database on a worker thread (`PgliteThread`): its statements no longer stop this
 * thread's event loop while they run, which a server needs (group commit gathers the requests
 * that arrive meanwhile). Each statement costs a message each way (~tens of µs).
 *
 * @param dataDir as for `openPgliteAuditLogDatabase`.
 */
export async function openThreadedPgliteAuditLogDatabase(
  dataDir: string,
): Promise<ThreadedPgliteAuditLogDatabase> {
  const pglite = await PgliteThread.open(dataDir);
  const db = new Kysely<AuditLogDatabase>({ dialect: new PGliteDialect({ pglite }) });
  return {
    db,
    async close() {
      await db.destroy();
      await pglite.close();
    },
  };
}
