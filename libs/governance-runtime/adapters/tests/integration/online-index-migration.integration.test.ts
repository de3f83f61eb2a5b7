/**
 * Migration 015's indexes added to a table that holds entries, the way `policy-gateway migrate`
 * does it: `prepareOnlineMigrations` builds each partition's copy concurrently, and the
 * migration only creates the parent's index and attaches those copies, rather than building
 * them again while holding writers off.
 */
import { type Kysely, sql } from 'kysely';
import { Migrator } from 'kysely/migration';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { at, makeEntry } from '../../../testing/audit-log-entry-fixtures.js';
import { createTestDatabase, type TestDatabase } from '../../../testing/create-test-database.js';
import type { AuditLogDatabase } from '../../postgres/audit-log-database.js';
import { auditLogMigrationProvider } from '../../postgres/audit-log-migrations.js';
import { AUDIT_FILTER_INDEXES } from '../../postgres/migrations/015-index-audit-filters.js';
import { openPostgresAuditLogDatabase } from '../../postgres/open-postgres-audit-log-database.js';
import { partitionCopyName } from '../../postgres/partitioned-index.js';
import { prepareOnlineMigrations } from '../../postgres/prepare-online-migrations.js';

describe('migration 015 on a table with entries', () => {
  let database: TestDatabase;
  let db: Kysely<AuditLogDatabase>;
  const migrator = () => new Migrator({ db, provider: auditLogMigrationProvider });

  beforeAll(async () => {
    database = await createTestDatabase();
    db = openPostgresAuditLogDatabase({ connectionString: database.url, maxConnections: 2 });
    expect((await migrator().migrateTo('014_allow_privacy_officer_keys')).error).toBeUndefined();
    // Written as a build of migration 014 writes them (the repository may know newer columns).
    for (let i = 0; i < 20; i += 1) {
      const e = makeEntry({ occurredAt: at(i * 1000), action: `action-${i % 3}` });
      await sql`insert into audit_log_entries (id, decision_id, occurred_at, user_id, action, decision, reasons, policy_path, policy_version, policy_engine, input, latency_ms, request_id, gateway_instance)
        values (${e.id}::uuid, ${e.decisionId}, ${e.occurredAt}::timestamptz, ${e.userId}, ${e.action}, ${e.decision}, '[]', ${e.policyPath}, ${e.policyVersion}, ${e.policyEngine}, '{}', ${e.latencyMs}, ${e.requestId}, ${e.gatewayInstance})`.execute(
        db,
      );
    }
  });
  afterAll(async () => {
    await db.destroy();
    await database.drop();
  });

  /** Each partition's index named `name`, with its oid and validity. */
  async function copies(name: string) {
    const { rows } = await sql<{ partition: string; oid: number; valid: boolean }>`
      select c.relname as partition, x.indexrelid::int as oid, x.indisvalid as valid
        from pg_inherits i join pg_class c on c.oid = i.inhrelid
        left join pg_index x
          on x.indexrelid = to_regclass(c.relname || substr(${name}::text, length('audit_log_entries') + 1))
       where i.inhparent = 'audit_log_entries'::regclass order by c.relname`.execute(db);
    return rows;
  }

  it('builds the copies online, then attaches them without building them again', async () => {
    const index = AUDIT_FILTER_INDEXES[0]!;
    // A failed CREATE INDEX CONCURRENTLY leaves an invalid index behind: built again.
    const legacyCopy = partitionCopyName(index, 'audit_log_entries_legacy');
    await expect(
      sql`create unique index concurrently ${sql.id(legacyCopy)} on audit_log_entries_legacy (action)`.execute(
        db,
      ),
    ).rejects.toThrow(/could not create unique index/);
    expect((await copies(index.name)).find((copy) => copy.valid === false)).toBeDefined();
    const prepared = await prepareOnlineMigrations(db);
    const partitions = (await copies(index.name)).length;
    expect(prepared.indexCopies).toHaveLength(AUDIT_FILTER_INDEXES.length * partitions);
    const before = await copies(index.name);
    expect(before.every((copy) => copy.valid)).toBe(true);

    expect((await migrator().migrateTo('015_index_audit_filters')).error).toBeUndefined();
    // The same indexes (same oids), now the parent's index's partitions.
    expect(await copies(index.name)).toEqual(before);
    const { rows } = await sql<{ name: string; valid: boolean; parts: number }>`
      select c.relname as name, x.indisvalid as valid,
             (select count(*) from pg_inherits where inhparent = c.oid)::int as parts
        from pg_index x join pg_class c on c.oid = x.indexrelid
       where c.relname = any(${AUDIT_FILTER_INDEXES.map((i) => i.name)}) order by 1`.execute(db);
    expect(rows).toEqual(
      AUDIT_FILTER_INDEXES.map((i) => ({ name: i.name, valid: true, parts: partitions })).sort(
        (a, b) => a.name.localeCompare(b.name),
      ),
    );
    // Done once: nothing is pending to prepare.
    expect((await prepareOnlineMigrations(db)).indexCopies).toEqual([]);
  });
});
