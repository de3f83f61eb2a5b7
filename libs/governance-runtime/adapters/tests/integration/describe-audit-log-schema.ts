/**
 * The schema the migrations create, checked on each database the PostgreSQL adapter runs
 * on (PGlite and a server): columns and their types, the indexes the queries use, and
 * the checks the database enforces by itself.
 */
import { type Kysely, sql } from 'kysely';
import { Migrator } from 'kysely/migration';
import { describe, expect, it } from 'vitest';
import { makeEntry } from '../../../testing/audit-log-entry-fixtures.js';
import type { AuditLogDatabase } from '../../postgres/audit-log-database.js';
import {
  AUDIT_LOG_MIGRATION_NAMES,
  auditLogMigrationProvider,
} from '../../postgres/audit-log-migrations.js';
import { PostgresAuditLogEntryRepository } from '../../postgres/postgres-audit-log-entry-repository.js';

export function describeAuditLogSchema(name: string, db: () => Kysely<AuditLogDatabase>): void {
  describe(`migrations on ${name}`, () => {
    it('does nothing when run again on a current schema', async () => {
      const migrator = new Migrator({ db: db(), provider: auditLogMigrationProvider });
      const again = await migrator.migrateToLatest();
      expect(again.error).toBeUndefined();
      expect(again.results).toEqual([]);
      const migrations = await migrator.getMigrations();
      expect(migrations.map((m) => [m.name, m.executedAt !== undefined])).toEqual(
        AUDIT_LOG_MIGRATION_NAMES.map((name) => [name, true]),
      );
    });

    it('creates audit_log_entries with a column of the right type for every field', async () => {
      const { rows } = await sql<{ column_name: string; data_type: string; is_nullable: string }>`
      select column_name, data_type, is_nullable from information_schema.columns
      where table_name = 'audit_log_entries' order by ordinal_position`.execute(db());
      expect(
        rows.map(
          (r) => `${r.column_name} ${r.data_type} ${r.is_nullable === 'YES' ? 'null' : 'not null'}`,
        ),
      ).toEqual([
        'id uuid not null',
        'decision_id text not null',
        'occurred_at timestamp with time zone not null',
        'user_id text not null',
        'action text not null',
        'decision text not null',
        'reasons jsonb not null',
        'policy_path text not null',
        'policy_version text not null',
        'policy_engine text not null',
        'input jsonb not null',
        'result jsonb null',
        'error text null',
        'latency_ms double precision not null',
        'request_id text null',
        'client_address text null',
        'user_agent text null',
        'gateway_instance text not null',
        'inserted_at timestamp with time zone not null',
        'client_request_id text null',
        'idempotency_key text null',
        'request_digest text null',
        'principal_id text null',
        'chain_id uuid null',
        'chain_seq bigint null',
        'prev_hash text null',
        'entry_hash text null',
        'masking jsonb null',
        'sealed_original jsonb null',
      ]);
    });

    it('creates the indexes the queries use: time; user and time; decision and time', async () => {
      const { rows } = await sql<{ indexdef: string }>`
      select indexdef from pg_indexes where tablename = 'audit_log_entries' order by indexname`.execute(
        db(),
      );
      const definitions = rows.map((r) => r.indexdef.replace(/^.* USING btree /, ''));
      expect(definitions).toEqual(
        expect.arrayContaining([
          '(occurred_at DESC, id DESC)',
          '(user_id, occurred_at DESC, id DESC)',
          '(decision, occurred_at DESC, id DESC)',
          '(policy_path, occurred_at DESC, id DESC)',
          '(decision_id)',
          '(id)',
        ]),
      );
    });

    it("makes a user's idempotency key unique among the entries that decided, and only those", async () => {
      const { rows } = await sql<{ indexdef: string }>`
      select indexdef from pg_indexes where indexname = 'audit_log_entries_user_id_idempotency_key_idx'`.execute(
        db(),
      );
      expect(rows.map((r) => r.indexdef.replace(/^.* USING btree /, ''))).toEqual([
        "(user_id, idempotency_key) WHERE ((idempotency_key IS NOT NULL) AND (decision <> 'error'::text))",
      ]);
      expect(rows[0]?.indexdef).toMatch(/^CREATE UNIQUE INDEX/);
    });

    it('makes a chain seq unique within its chain, and keeps the four chain columns together', async () => {
      const { rows } = await sql<{ indexdef: string }>`
      select indexdef from pg_indexes where indexname = 'audit_log_entries_chain_id_chain_seq_idx'`.execute(
        db(),
      );
      expect(rows.map((r) => r.indexdef.replace(/^.* USING btree /, ''))).toEqual([
        '(chain_id, chain_seq) WHERE (chain_id IS NOT NULL)',
      ]);
      expect(rows[0]?.indexdef).toMatch(/^CREATE UNIQUE INDEX/);
      const entry = makeEntry();
      await expect(
        sql`insert into audit_log_entries (id, decision_id, occurred_at, user_id, action, decision, reasons, policy_path, policy_version, policy_engine, input, latency_ms, gateway_instance, chain_id)
          values (${entry.id}::uuid, 'd', now(), 'u', 'a', 'allow', '[]', 'p', 'v', 'e', '{}', 1, 'g', ${entry.id}::uuid)`.execute(
          db(),
        ),
      ).rejects.toThrow(/audit_log_entries_chain_check/);
    });

    it('creates the checkpoint and signing key tables', async () => {
      const { rows } = await sql<{ table_name: string; column_name: string }>`
      select table_name, column_name from information_schema.columns
      where table_name in ('audit_checkpoints', 'audit_signing_keys')
      order by table_name, ordinal_position`.execute(db());
      expect(rows.map((r) => `${r.table_name}.${r.column_name}`)).toEqual([
        'audit_checkpoints.id',
        'audit_checkpoints.chain_id',
        'audit_checkpoints.chain_seq',
        'audit_checkpoints.entry_hash',
        'audit_checkpoints.prev_checkpoint_id',
        'audit_checkpoints.prev_checkpoint_hash',
        'audit_checkpoints.key_id',
        'audit_checkpoints.created_at',
        'audit_checkpoints.instance',
        'audit_checkpoints.reason',
        'audit_checkpoints.final',
        'audit_checkpoints.payload',
        'audit_checkpoints.checkpoint_hash',
        'audit_checkpoints.signature',
        'audit_checkpoints.inserted_at',
        'audit_signing_keys.key_id',
        'audit_signing_keys.algorithm',
        'audit_signing_keys.public_key_pem',
        'audit_signing_keys.first_used_at',
        'audit_signing_keys.first_used_by',
      ]);
    });

    it('refuses UPDATE, DELETE and TRUNCATE of the audit tables, saying why (migration 008)', async () => {
      const entry = makeEntry();
      await new PostgresAuditLogEntryRepository(db()).append(entry);
      await sql`insert into audit_signing_keys (key_id, algorithm, public_key_pem, first_used_by)
                values ('k-append-only', 'Ed25519', 'pem', 'test') on conflict do nothing`.execute(
        db(),
      );
      const statements = [
        sql`update audit_log_entries set decision = 'allow', reasons = '[]' where id = ${entry.id}::uuid`,
        sql`delete from audit_log_entries where id = ${entry.id}::uuid`,
        sql`truncate table audit_log_entries`,
        sql`update audit_signing_keys set public_key_pem = 'forged' where key_id = 'k-append-only'`,
        sql`delete from audit_signing_keys where key_id = 'k-append-only'`,
        sql`truncate table audit_signing_keys`,
        sql`truncate table audit_checkpoints`,
      ];
      for (const statement of statements) {
        await expect(statement.execute(db())).rejects.toThrow(
          /(UPDATE|DELETE|TRUNCATE) on audit_\w+ is refused: the audit trail is append-only/,
        );
      }
      const found = await new PostgresAuditLogEntryRepository(db()).findById(entry.id);
      expect(found?.decision).toBe(entry.decision);
    });

    it('lets a superuser who disables triggers change rows: what the chain and the verifier are for', async () => {
      const entry = makeEntry({ decision: 'deny' });
      await new PostgresAuditLogEntryRepository(db()).append(entry);
      await db()
        .transaction()
        .execute(async (trx) => {
          await sql`set local session_replication_role = replica`.execute(trx);
          await sql`update audit_log_entries set decision = 'allow' where id = ${entry.id}::uuid`.execute(
            trx,
          );
        });
      const found = await new PostgresAuditLogEntryRepository(db()).findById(entry.id);
      expect(found?.decision).toBe('allow');
    });

    it('refuses a decision other than allow, deny or error at the database level', async () => {
      const entry = makeEntry();
      await expect(
        sql`insert into audit_log_entries (id, decision_id, occurred_at, user_id, action, decision, reasons, policy_path, policy_version, policy_engine, input, latency_ms, gateway_instance)
          values (${entry.id}::uuid, 'd', now(), 'u', 'a', 'maybe', '[]', 'p', 'v', 'e', '{}', 1, 'g')`.execute(
          db(),
        ),
      ).rejects.toThrow(/audit_log_entries_decision_check/);
    });
  });
}
