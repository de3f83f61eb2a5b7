/**
 * Contract-suite harnesses for the library's adapters (memory, PGlite, a PostgreSQL
 * server) and for any of them behind a decorator, so that running the whole contract
 * over a new decorator is one call:
 *
 * @example
 * describeAuditLogEntryRepositoryContract(
 *   decoratedRepositoryHarness(postgresServerRepositoryHarness(), 'batching', (inner) => new Batching(inner)),
 * );
 */
import { type Kysely, sql } from 'kysely';
import { MemoryAuditLogEntryRepository } from '../adapters/memory/memory-audit-log-entry-repository.js';
import type { AuditLogDatabase } from '../adapters/postgres/audit-log-database.js';
import { openPostgresAuditLogDatabase } from '../adapters/postgres/open-postgres-audit-log-database.js';
import { PostgresAuditLogEntryRepository } from '../adapters/postgres/postgres-audit-log-entry-repository.js';
import type { AuditLogEntryRepository } from '../src/audit-log-entry-repository.js';
import type { AuditLogEntryRepositoryHarness } from './audit-log-entry-repository-harness.js';
import { createTestDatabase, type TestDatabase } from './create-test-database.js';
import { migrateAuditLogToLatest, openTestPglite, type TestPglite } from './open-test-pglite.js';

/** Large enough that no contract case drops an entry. */
export function memoryRepositoryHarness(): AuditLogEntryRepositoryHarness {
  return {
    name: 'memory',
    durable: false,
    open: async () => new MemoryAuditLogEntryRepository({ maxEntries: 10_000 }),
  };
}

/** The check constraint through which `failWritesOf` makes PostgreSQL refuse writes. */
const FAILING_WRITES_CONSTRAINT = 'audit_contract_failing_writes';

/**
 * The PostgreSQL adapter over a migrated database that something else opens and closes;
 * each `open()` empties the table.
 */
export function databaseRepositoryHarness(
  name: string,
  db: () => Kysely<AuditLogDatabase>,
): AuditLogEntryRepositoryHarness {
  let failing = false;
  return {
    name,
    durable: true,
    async open() {
      if (failing) {
        failing = false;
        await sql`alter table audit_log_entries drop constraint ${sql.id(FAILING_WRITES_CONSTRAINT)}`.execute(
          db(),
        );
      }
      await sql`truncate table audit_log_entries`.execute(db());
      return new PostgresAuditLogEntryRepository(db());
    },
    async failWritesOf(userId) {
      // NOT VALID: rows already stored are not checked, only those written from now on.
      await sql`alter table audit_log_entries add constraint ${sql.id(FAILING_WRITES_CONSTRAINT)} check (user_id <> ${sql.lit(userId)}) not valid`.execute(
        db(),
      );
      failing = true;
    },
  };
}

/** The PostgreSQL adapter over PGlite in a fresh temporary directory (seconds to set up). */
export function pgliteRepositoryHarness(): AuditLogEntryRepositoryHarness {
  let pglite: TestPglite | undefined;
  return {
    ...databaseRepositoryHarness('PGlite', () => pglite!.db),
    async setUp() {
      pglite = await openTestPglite();
    },
    async tearDown() {
      await pglite?.remove();
    },
  };
}

/** The PostgreSQL adapter over a fresh database on the test server (`createTestDatabase`). */
export function postgresServerRepositoryHarness(): AuditLogEntryRepositoryHarness {
  let database: TestDatabase | undefined;
  let db: Kysely<AuditLogDatabase> | undefined;
  return {
    ...databaseRepositoryHarness('PostgreSQL server', () => db!),
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

/** `harness`'s repositories, each wrapped by `decorate`; the suite is named after both. */
export function decoratedRepositoryHarness(
  harness: AuditLogEntryRepositoryHarness,
  decoratorName: string,
  decorate: (inner: AuditLogEntryRepository) => AuditLogEntryRepository,
  options: { readonly chains?: boolean } = {},
): AuditLogEntryRepositoryHarness {
  const { setUp, tearDown, failWritesOf } = harness;
  return {
    name: `${harness.name} behind ${decoratorName}`,
    durable: harness.durable,
    chains: options.chains ?? harness.chains ?? false,
    ...(setUp && { setUp: () => setUp.call(harness) }),
    open: async () => decorate(await harness.open()),
    ...(tearDown && { tearDown: () => tearDown.call(harness) }),
    ...(failWritesOf && { failWritesOf: (userId: string) => failWritesOf.call(harness, userId) }),
  };
}
