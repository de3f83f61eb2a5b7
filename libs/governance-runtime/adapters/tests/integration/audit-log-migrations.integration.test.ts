/**
 * Migrations on a fresh PostgreSQL database, the way the service's `migrate` command runs
 * them: concurrently from two replicas, down and up again, and failing half-way.
 */
import { type Kysely, sql } from 'kysely';
import { type Migration, Migrator, NO_MIGRATIONS } from 'kysely/migration';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../testing/create-test-database.js';
import type { AuditLogDatabase } from '../../postgres/audit-log-database.js';
import {
  auditLogMigrationProvider,
  auditLogMigrations,
} from '../../postgres/audit-log-migrations.js';
import { openPostgresAuditLogDatabase } from '../../postgres/open-postgres-audit-log-database.js';

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
    expect(applied.map((r) => r.migrationName)).toEqual(['001_create_audit_log_entries']);
  });

  it('removes the table when migrated down, and recreates it when migrated up again', async () => {
    const migrator = new Migrator({ db, provider: auditLogMigrationProvider });
    expect((await migrator.migrateDown()).error).toBeUndefined();
    const exists = () =>
      sql<{ name: string | null }>`select to_regclass('audit_log_entries')::text as name`.execute(
        db,
      );
    expect((await exists()).rows[0]?.name).toBeNull();
    expect((await migrator.migrateToLatest()).error).toBeUndefined();
    expect((await exists()).rows[0]?.name).toBe('audit_log_entries');
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
