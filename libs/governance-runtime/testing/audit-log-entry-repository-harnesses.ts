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
 * The PostgreSQL adapter over a migrated database; each `open()` gets an empty one, from
 * `fresh` (the audit tables are append-only, migration 008, so they are never emptied: each
 * test gets a schema of its own).
 */
export function databaseRepositoryHarness(
  name: string,
  fresh: () => Promise<Kysely<AuditLogDatabase>>,
): AuditLogEntryRepositoryHarness {
  let db: Kysely<AuditLogDatabase> | undefined;
  return {
    name,
    durable: true,
    async open() {
      db = await fresh();
      return new PostgresAuditLogEntryRepository(db);
    },
    async failWritesOf(userId) {
      // NOT VALID: rows already stored are not checked, only those written from now on.
      await sql`alter table audit_log_entries add constraint ${sql.id(FAILING_WRITES_CONSTRAINT)} check (user_id <> ${sql.lit(userId)}) not valid`.execute(
        db!,
      );
    },
  };
}

let schemas = 0;

/** A new schema's name, unique in this process. */
function newSchemaName(): string {
  schemas += 1;
  return `contract_${process.pid}_${schemas}`;
}

/**
 * The PostgreSQL adapter over PGlite in a fresh temporary directory (seconds to set up), a
 * new migrated schema for each test (its one connection's search path moves to it).
 */
export function pgliteRepositoryHarness(): AuditLogEntryRepositoryHarness {
  let pglite: TestPglite | undefined;
  return {
    ...databaseRepositoryHarness('PGlite', async () => {
      const db = pglite!.db;
      const schema = newSchemaName();
      await sql`create schema ${sql.id(schema)}`.execute(db);
      await sql`set search_path to ${sql.id(schema)}`.execute(db);
      await migrateAuditLogToLatest(db, schema);
      return db;
    }),
    async setUp() {
      pglite = await openTestPglite();
    },
    async tearDown() {
      await pglite?.remove();
    },
  };
}

/**
 * The PostgreSQL adapter over a fresh database on the test server (`createTestDatabase`), a
 * new migrated schema and pool (whose connections search it) for each test.
 */
export function postgresServerRepositoryHarness(): AuditLogEntryRepositoryHarness {
  let database: TestDatabase | undefined;
  let admin: Kysely<AuditLogDatabase> | undefined;
  let db: Kysely<AuditLogDatabase> | undefined;
  return {
    ...databaseRepositoryHarness('PostgreSQL server', async () => {
      await db?.destroy();
      const schema = newSchemaName();
      await sql`create schema ${sql.id(schema)}`.execute(admin!);
      const url = new URL(database!.url);
      url.searchParams.set('options', `-c search_path=${schema}`);
      db = openPostgresAuditLogDatabase({ connectionString: url.toString(), maxConnections: 4 });
      await migrateAuditLogToLatest(db, schema);
      return db;
    }),
    async setUp() {
      database = await createTestDatabase();
      admin = openPostgresAuditLogDatabase({ connectionString: database.url, maxConnections: 1 });
    },
    async tearDown() {
      await db?.destroy();
      await admin?.destroy();
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
