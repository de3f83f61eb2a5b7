import {
  AUDIT_LOG_LATEST_MIGRATION,
  AUDIT_LOG_MIGRATION_NAMES,
  auditLogMigrations,
} from '@policy-gateway/governance-runtime/postgres';
import { createTestDatabase, type TestDatabase } from '@policy-gateway/governance-runtime/testing';
import { Kysely, PostgresDialect, sql } from 'kysely';
import type { Migration } from 'kysely/migration';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest, migrationStatus } from '../src/db/migration-runner.js';
import { runCli } from './support/gateway-process.js';

const databases: TestDatabase[] = [];
const connections: Kysely<unknown>[] = [];

async function freshDatabase(): Promise<{ url: string; db: Kysely<unknown> }> {
  const database = await createTestDatabase();
  databases.push(database);
  return { url: database.url, db: connect(database.url) };
}

function connect(url: string): Kysely<unknown> {
  const db = new Kysely<unknown>({
    dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 2 }) }),
  });
  connections.push(db);
  return db;
}

async function tables(db: Kysely<unknown>): Promise<string[]> {
  const { rows } = await sql<{ tablename: string }>`
    select tablename from pg_tables where schemaname = 'public' order by tablename`.execute(db);
  return rows.map((row) => row.tablename);
}

afterAll(async () => {
  await Promise.all(connections.map((db) => db.destroy()));
  await Promise.all(databases.map((database) => database.drop()));
});

describe('migrations', () => {
  it('creates audit_log_entries with its indexes, and a second run is a no-op', async () => {
    const { db } = await freshDatabase();
    expect(await migrationStatus(db)).toMatchObject({
      state: 'behind',
      pending: AUDIT_LOG_MIGRATION_NAMES,
    });
    const first = await migrateToLatest(db);
    expect(first.error).toBeUndefined();
    // Every migration of the library's registry, applied once, in its order.
    expect(first.results.map((r) => [r.migrationName, r.status])).toEqual(
      AUDIT_LOG_MIGRATION_NAMES.map((name) => [name, 'Success']),
    );
    expect(AUDIT_LOG_MIGRATION_NAMES.slice(0, 4)).toEqual([
      '001_create_audit_log_entries',
      '002_add_client_request_id',
      '003_add_idempotency_key',
      '004_add_principal',
    ]);
    expect(await tables(db)).toContain('audit_log_entries');
    const { rows: indexes } = await sql<{ indexname: string }>`
      select indexname from pg_indexes where tablename = 'audit_log_entries'`.execute(db);
    expect(indexes.map((row) => row.indexname)).toEqual(
      expect.arrayContaining([
        'audit_log_entries_occurred_at_idx',
        'audit_log_entries_user_id_occurred_at_idx',
        'audit_log_entries_decision_occurred_at_idx',
      ]),
    );
    const second = await migrateToLatest(db);
    expect(second.error).toBeUndefined();
    expect(second.results).toEqual([]);
    const current = await migrationStatus(db);
    expect(current).toMatchObject({ state: 'current', pending: [], unknown: [] });
    expect(current.applied.at(-1)?.name).toBe(AUDIT_LOG_LATEST_MIGRATION);
  });

  it('lets two concurrent runs race safely: one applies, the other finds nothing to do', async () => {
    const { url } = await freshDatabase();
    const [a, b] = await Promise.all([
      migrateToLatest(connect(url)),
      migrateToLatest(connect(url)),
    ]);
    expect(a.error).toBeUndefined();
    expect(b.error).toBeUndefined();
    const applied = [...a.results, ...b.results].filter((r) => r.status === 'Success');
    expect(applied.map((r) => r.migrationName)).toEqual(AUDIT_LOG_MIGRATION_NAMES);
    const { rows } = await sql<{ count: string }>`
      select count(*)::text as count from kysely_migration`.execute(connect(url));
    expect(rows[0]?.count).toBe(String(AUDIT_LOG_MIGRATION_NAMES.length));
  });

  it('rolls a failed migration back, leaving the schema as it was before it', async () => {
    const { db } = await freshDatabase();
    await migrateToLatest(db);
    const failing: Migration = {
      async up(tx) {
        await tx.schema.createTable('half_done').addColumn('id', 'integer').execute();
        await sql`alter table audit_log_entries add column extra text`.execute(tx);
        throw new Error('disk full');
      },
    };
    const outcome = await migrateToLatest(db, { ...auditLogMigrations, '999_breaks': failing });
    expect(String(outcome.error)).toContain('disk full');
    expect(outcome.results.map((r) => [r.migrationName, r.status])).toEqual([
      ['999_breaks', 'Error'],
    ]);
    expect(await tables(db)).not.toContain('half_done');
    const { rows } = await sql<{ column_name: string }>`
      select column_name from information_schema.columns
      where table_name = 'audit_log_entries' and column_name = 'extra'`.execute(db);
    expect(rows).toEqual([]);
    expect((await migrationStatus(db)).state).toBe('current');
  });

  it('reports a schema migrated by a newer build as ahead', async () => {
    const { db } = await freshDatabase();
    await migrateToLatest(db);
    await sql`insert into kysely_migration (name, timestamp) values ('999_from_the_future', '2030-01-01T00:00:00.000Z')`.execute(
      db,
    );
    expect(await migrationStatus(db)).toMatchObject({
      state: 'ahead',
      pending: [],
      unknown: ['999_from_the_future'],
    });
  });
});

describe('policy-gateway migrate (the command)', () => {
  let url: string;
  beforeAll(async () => {
    ({ url } = await freshDatabase());
  });

  it('status exits 3 and lists the pending migration on a fresh database, without creating anything', async () => {
    const status = await runCli(['migrate', 'status'], { POLICY_GATEWAY_DATABASE_URL: url });
    expect(status.code).toBe(3);
    expect(status.stdout).toMatch(/pending\s+001_create_audit_log_entries/);
    expect(await tables(connect(url))).toEqual([]);
  });

  it('migrate applies it (accepting the asyncpg URL form), then status exits 0', async () => {
    const asyncpgUrl = url.replace(/^postgres(ql)?:/, 'postgresql+asyncpg:');
    const migrate = await runCli(['migrate'], { POLICY_GATEWAY_DATABASE_URL: asyncpgUrl });
    expect(migrate.code).toBe(0);
    expect(migrate.stdout).toContain('applied: 001_create_audit_log_entries');
    const status = await runCli(['migrate', 'status'], { POLICY_GATEWAY_DATABASE_URL: url });
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/applied\s+001_create_audit_log_entries/);
    expect(status.stdout).toContain('schema is current');
    const again = await runCli(['migrate'], { POLICY_GATEWAY_DATABASE_URL: url });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('nothing to apply');
  });

  it('leaves a schema migrated by a newer build alone (a rollback runs the older migrate), exit 0', async () => {
    const { url: ahead, db } = await freshDatabase();
    await migrateToLatest(db);
    await sql`insert into kysely_migration (name, timestamp) values ('002_from_a_newer_build', '2030-01-01T00:00:00.000Z')`.execute(
      db,
    );
    const migrate = await runCli(['migrate'], { POLICY_GATEWAY_DATABASE_URL: ahead });
    expect(migrate.code).toBe(0);
    expect(migrate.stdout).toContain('schema is ahead of this build');
    expect(migrate.stdout).toContain('nothing to apply');
    const status = await runCli(['migrate', 'status'], { POLICY_GATEWAY_DATABASE_URL: ahead });
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(
      '002_from_a_newer_build  2030-01-01T00:00:00.000Z (unknown to this build)',
    );
  });

  it('says what went wrong in one line, exit 1, when the database cannot be reached', async () => {
    const result = await runCli(['migrate'], {
      POLICY_GATEWAY_DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/nowhere',
      POLICY_GATEWAY_DB_CONNECT_MAX_WAIT_MS: '0',
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^policy-gateway: cannot connect to POLICY_GATEWAY_DATABASE_URL .*$/m,
    );
  });

  const usage = [
    { note: 'no command', args: [] },
    { note: 'an unknown command', args: ['start'] },
    { note: 'an unknown migrate subcommand', args: ['migrate', 'down'] },
    { note: 'extra arguments', args: ['serve', 'now'] },
  ];
  for (const { note, args } of usage) {
    it(`rejects ${note} with one line and exit 2`, async () => {
      const result = await runCli(args, {});
      expect(result.code).toBe(2);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toContain('see --help');
    });
  }

  it('prints the commands with --help and exits 0', async () => {
    const result = await runCli(['--help'], {});
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('migrate status');
  });
});
