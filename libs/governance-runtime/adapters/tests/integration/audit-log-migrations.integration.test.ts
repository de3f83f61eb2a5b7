/**
 * Migrations on a fresh PostgreSQL database, the way the service's `migrate` command runs
 * them: concurrently from two replicas, down and up again, and failing half-way.
 */
import { type Kysely, sql } from 'kysely';
import { type Migration, Migrator, NO_MIGRATIONS } from 'kysely/migration';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEntry } from '../../../testing/audit-log-entry-fixtures.js';
import { createTestDatabase, type TestDatabase } from '../../../testing/create-test-database.js';
import type { AuditLogDatabase } from '../../postgres/audit-log-database.js';
import {
  AUDIT_LOG_MIGRATION_NAMES,
  auditLogMigrationProvider,
  auditLogMigrations,
} from '../../postgres/audit-log-migrations.js';
import { openPostgresAuditLogDatabase } from '../../postgres/open-postgres-audit-log-database.js';
import { PostgresAuditLogEntryRepository } from '../../postgres/postgres-audit-log-entry-repository.js';

describe('migrations on a fresh PostgreSQL database', () => {
  let database: TestDatabase;
  let db: Kysely<AuditLogDatabase>;

  beforeAll(async () => {
    database = await createTestDatabase();
    db = openPostgresAuditLogDatabase({ connectionString: database.url, maxConnections: 4 });
  });
  afterAll(async () => {
    await db.destroy();
    await database.drop();
  });

  it('applies each migration once when two migrators run at the same time', async () => {
    const run = () => new Migrator({ db, provider: auditLogMigrationProvider }).migrateToLatest();
    const [a, b] = await Promise.all([run(), run()]);
    expect(a.error).toBeUndefined();
    expect(b.error).toBeUndefined();
    const applied = [...(a.results ?? []), ...(b.results ?? [])].filter(
      (r) => r.status === 'Success',
    );
    // Every migration of the registry, each applied by exactly one of the two.
    expect(applied.map((r) => r.migrationName)).toEqual(AUDIT_LOG_MIGRATION_NAMES);
  });

  it('removes the table when migrated down, and recreates it when migrated up again', async () => {
    const migrator = new Migrator({ db, provider: auditLogMigrationProvider });
    expect((await migrator.migrateTo(NO_MIGRATIONS)).error).toBeUndefined();
    const exists = () =>
      sql<{ name: string | null }>`select to_regclass('audit_log_entries')::text as name`.execute(
        db,
      );
    expect((await exists()).rows[0]?.name).toBeNull();
    expect((await migrator.migrateToLatest()).error).toBeUndefined();
    expect((await exists()).rows[0]?.name).toBe('audit_log_entries');
  });

  it('keeps entries written before 002 (null client_request_id) and lets a 001 build keep writing', async () => {
    const migrator = new Migrator({ db, provider: auditLogMigrationProvider });
    expect((await migrator.migrateTo('001_create_audit_log_entries')).error).toBeUndefined();
    const repository = new PostgresAuditLogEntryRepository(db);
    const { clientRequestId: _absent, ...before } = makeEntry();
    // A build that knows only migration 001 writes every column but the new one.
    const insertWithout002 = (entry: typeof before) =>
      sql`insert into audit_log_entries (id, decision_id, occurred_at, user_id, action, decision, reasons, policy_path, policy_version, policy_engine, input, latency_ms, request_id, gateway_instance)
        values (${entry.id}::uuid, ${entry.decisionId}, ${entry.occurredAt}::timestamptz, ${entry.userId}, ${entry.action}, ${entry.decision}, '[]', ${entry.policyPath}, ${entry.policyVersion}, ${entry.policyEngine}, '{}', ${entry.latencyMs}, ${entry.requestId}, ${entry.gatewayInstance})`.execute(
        db,
      );
    await insertWithout002(before);
    expect((await migrator.migrateToLatest()).error).toBeUndefined();
    expect((await repository.findById(before.id))?.clientRequestId).toBeNull();
    const during = makeEntry();
    await insertWithout002(during);
    expect((await repository.findById(during.id))?.clientRequestId).toBeNull();
    const after = makeEntry({ clientRequestId: 'client-7' });
    await repository.append(after);
    expect((await repository.findById(after.id))?.clientRequestId).toBe('client-7');
  });

  it('leaves the schema as it was when a later migration fails', async () => {
    const exists = async (name: string) =>
      (await sql<{ name: string | null }>`select to_regclass(${name})::text as name`.execute(db))
        .rows[0]?.name ?? null;
    const migrator = new Migrator({ db, provider: auditLogMigrationProvider });
    expect((await migrator.migrateTo(NO_MIGRATIONS)).error).toBeUndefined();
    expect(await exists('audit_log_entries')).toBeNull();
    const failing: Migration = {
      async up(db) {
        await db.schema.createTable('half_done').addColumn('x', 'integer').execute();
        throw new Error('the second step of this migration fails');
      },
    };
    const withFailure = new Migrator({
      db,
      provider: {
        getMigrations: async () => ({ ...auditLogMigrations, '999_failing': failing }),
      },
    });
    const result = await withFailure.migrateToLatest();
    expect(result.error).toBeInstanceOf(Error);
    expect(await exists('half_done')).toBeNull();
    expect(await exists('audit_log_entries')).toBeNull();
    expect((await migrator.migrateToLatest()).error).toBeUndefined();
    expect(await exists('audit_log_entries')).toBe('audit_log_entries');
  });
});
