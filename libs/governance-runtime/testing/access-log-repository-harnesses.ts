/**
 * Contract-suite harnesses for the access log's adapters: memory, and the PostgreSQL adapter
 * over PGlite and over a real server, each database migrated with the one registry.
 *
 * @example
 * describeAccessLogRepositoryContract(postgresServerAccessLogHarness());
 */
import { type Kysely, sql } from 'kysely';
import { MemoryAccessLogRepository } from '../adapters/memory/memory-access-log-repository.js';
import type { AuditLogDatabase } from '../adapters/postgres/audit-log-database.js';
import { openPostgresAuditLogDatabase } from '../adapters/postgres/open-postgres-audit-log-database.js';
import { PostgresAccessLogRepository } from '../adapters/postgres/postgres-access-log-repository.js';
import type { AccessLogRepositoryHarness } from './access-log-repository-harness.js';
import { createTestDatabase, type TestDatabase } from './create-test-database.js';
import { migrateAuditLogToLatest, openTestPglite, type TestPglite } from './open-test-pglite.js';

/** Large enough that no contract case drops a record. */
export function memoryAccessLogHarness(): AccessLogRepositoryHarness {
  return {
    name: 'memory',
    durable: false,
    open: async () => new MemoryAccessLogRepository({ maxRecords: 10_000 }),
  };
}

/** The check constraint through which `failWritesOf` makes PostgreSQL refuse writes. */
const FAILING_WRITES_CONSTRAINT = 'access_log_contract_failing_writes';

/**
 * The PostgreSQL adapter over a migrated database that something else opens and closes;
 * each `open()` empties the table.
 */
export function databaseAccessLogHarness(
  name: string,
  db: () => Kysely<AuditLogDatabase>,
): AccessLogRepositoryHarness {
  let failing = false;
  return {
    name,
    durable: true,
    async open() {
      if (failing) {
        failing = false;
        await sql`alter table access_log_records drop constraint ${sql.id(FAILING_WRITES_CONSTRAINT)}`.execute(
          db(),
        );
      }
      // The log is append-only (migration 018): its triggers refuse TRUNCATE except to a
      // session acting as a replica, which only a superuser (the test's role) can be.
      await db()
        .transaction()
        .execute(async (trx) => {
          await sql`set local session_replication_role = replica`.execute(trx);
          await sql`truncate table access_log_records`.execute(trx);
        });
      return new PostgresAccessLogRepository(db());
    },
    async failWritesOf(principalId) {
      // NOT VALID: rows already stored are not checked, only those written from now on.
      await sql`alter table access_log_records add constraint ${sql.id(FAILING_WRITES_CONSTRAINT)} check (principal_id <> ${sql.lit(principalId)}) not valid`.execute(
        db(),
      );
      failing = true;
    },
  };
}

/** The PostgreSQL adapter over PGlite in a fresh temporary directory (seconds to set up). */
export function pgliteAccessLogHarness(): AccessLogRepositoryHarness {
  let pglite: TestPglite | undefined;
  return {
    ...databaseAccessLogHarness('PGlite', () => pglite!.db),
    async setUp() {
      pglite = await openTestPglite();
    },
    async tearDown() {
      await pglite?.remove();
    },
  };
}

/** The PostgreSQL adapter over a fresh database on the test server (`createTestDatabase`). */
export function postgresServerAccessLogHarness(): AccessLogRepositoryHarness {
  let database: TestDatabase | undefined;
  let db: Kysely<AuditLogDatabase> | undefined;
  return {
    ...databaseAccessLogHarness('PostgreSQL server', () => db!),
    async setUp() {
      database = await createTestDatabase();
      db = openPostgresAuditLogDatabase({ connectionString: database.url, maxConnections: 4 });
      await migrateAuditLogToLatest(db);
    },
    async tearDown() {
      await db?.destroy();
      await database?.drop();
    },
  };
}
