/**
 * The audit list query and the batch INSERT are planned once per connection
 * (`PreparedStatementClient`): pages of the same shape, whatever their parameters, run one
 * prepared statement, batches of any size another, and a new partition is still read and
 * written (PostgreSQL plans a prepared statement again when its tables change).
 */
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { at, makeEntry } from '../../../testing/audit-log-entry-fixtures.js';
import { createTestDatabase, type TestDatabase } from '../../../testing/create-test-database.js';
import { migrateAuditLogToLatest } from '../../../testing/open-test-pglite.js';
import type { AuditLogDatabase } from '../../postgres/audit-log-database.js';
import { openPostgresAuditLogDatabase } from '../../postgres/open-postgres-audit-log-database.js';
import { PostgresAuditLogEntryRepository } from '../../postgres/postgres-audit-log-entry-repository.js';

describe('the audit list query on a PostgreSQL server', () => {
  let database: TestDatabase;
  let db: Kysely<AuditLogDatabase>;
  let repository: PostgresAuditLogEntryRepository;

  beforeAll(async () => {
    database = await createTestDatabase();
    // One connection: the prepared statements seen are those of the connection that read.
    db = openPostgresAuditLogDatabase({ connectionString: database.url, maxConnections: 1 });
    await migrateAuditLogToLatest(db);
    repository = new PostgresAuditLogEntryRepository(db);
    for (let i = 0; i < 10; i += 1) {
      await repository.append(makeEntry({ occurredAt: at(i * 1000), userId: `user-${i % 2}` }));
    }
  });
  afterAll(async () => {
    await db.destroy();
    await database.drop();
  });

  /** The connection's prepared statements: batch INSERTs, or the others (pages). */
  const prepared = async (kind: 'insert' | 'page') =>
    (
      await sql<{ n: number }>`select count(*)::int as n from pg_prepared_statements
        where statement like '/* prepared */%'
          and (statement like '/* prepared */insert%') = ${kind === 'insert'}`.execute(db)
    ).rows[0]!.n;
  const preparedPages = () => prepared('page');

  it('runs pages of one shape as one prepared statement, whatever their parameters', async () => {
    const first = await repository.query({ limit: 3, userId: 'user-0' });
    const other = await repository.query({ limit: 3, userId: 'user-1' });
    expect(first.entries.map((e) => e.userId)).toEqual(['user-0', 'user-0', 'user-0']);
    expect(other.entries.map((e) => e.userId)).toEqual(['user-1', 'user-1', 'user-1']);
    const next = await repository.query({ limit: 3, userId: 'user-0', cursor: first.nextCursor! });
    expect(next.entries).toHaveLength(2);
    // The user's first pages share a statement; the next page (after a cursor) is another.
    expect(await preparedPages()).toBe(2);
  });

  it('reads a partition added after the statement was prepared', async () => {
    // Past the five custom plans PostgreSQL makes first: the generic plan is cached.
    for (let i = 0; i < 7; i += 1) await repository.query({ limit: 50 });
    await sql`create table audit_log_entries_y2040m01 partition of audit_log_entries
      for values from ('2040-01-01') to ('2040-02-01')`.execute(db);
    const later = makeEntry({ occurredAt: '2040-01-15T00:00:00.000000Z' });
    await repository.append(later);
    expect((await repository.query({ limit: 50 })).entries[0]?.id).toBe(later.id);
  });

  it('inserts batches of every size with one prepared statement', async () => {
    const batches = [1, 3, 7].map((size, b) =>
      Array.from({ length: size }, (_, i) =>
        makeEntry({ occurredAt: at(100_000 + b * 1000 + i), userId: 'user-batch' }),
      ),
    );
    for (const batch of batches) {
      const result = await repository.appendMany(batch);
      expect(result.results.map((r) => r.status)).toEqual(batch.map(() => 'committed'));
    }
    const stored = await repository.query({ limit: 50, userId: 'user-batch' });
    expect(stored.entries).toHaveLength(11);
    expect(await prepared('insert')).toBe(1);
  });

  it('inserts a batch into a partition added after the INSERT was prepared', async () => {
    for (let i = 0; i < 7; i += 1) await repository.appendMany([makeEntry({ occurredAt: at(i) })]);
    await sql`create table audit_log_entries_y2041m01 partition of audit_log_entries
      for values from ('2041-01-01') to ('2041-02-01')`.execute(db);
    const later = makeEntry({ occurredAt: '2041-01-15T00:00:00.000000Z' });
    await repository.appendMany([later]);
    expect((await repository.query({ limit: 50 })).entries[0]?.id).toBe(later.id);
  });
});
