/**
 * The two engines a storage test runs on, each opened fresh: a database of its own on a PostgreSQL
 * server, and PGlite. `migrated: false` leaves them empty, for tests of the migrations themselves.
 */
import type { Kysely } from 'kysely';
import type { AuditLogDatabase } from '../adapters/postgres/audit-log-database.js';
import { openPgliteAuditLogDatabase } from '../adapters/postgres/open-pglite-audit-log-database.js';
import { openPostgresAuditLogDatabase } from '../adapters/postgres/open-postgres-audit-log-database.js';
import { createTestDatabase } from './create-test-database.js';
import { migrateAuditLogToLatest, openTestPglite } from './open-test-pglite.js';

export interface OpenedTestDatabase {
  readonly db: Kysely<AuditLogDatabase>;
  /** Closes the database and removes it. */
  close(): Promise<void>;
}

export interface TestAuditDatabase {
  readonly name: string;
  open(): Promise<OpenedTestDatabase>;
}

export function testAuditDatabases(options: {
  migrated: boolean;
  maxConnections?: number;
}): TestAuditDatabase[] {
  return [
    {
      name: 'a PostgreSQL server',
      async open() {
        const database = await createTestDatabase();
        const db = openPostgresAuditLogDatabase({
          connectionString: database.url,
          maxConnections: options.maxConnections ?? 2,
        });
        if (options.migrated) await migrateAuditLogToLatest(db);
        return {
          db,
          async close() {
            await db.destroy();
            await database.drop();
          },
        };
      },
    },
    {
      name: 'PGlite',
      async open() {
        if (options.migrated) {
          const pglite = await openTestPglite();
          return { db: pglite.db, close: () => pglite.remove() };
        }
        const { db } = await openPgliteAuditLogDatabase('memory://');
        return { db, close: () => db.destroy() };
      },
    },
  ];
}
