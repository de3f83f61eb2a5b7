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
        'shadow jsonb null',
        'enforced boolean null',
      ]);
    });

    it('creates the indexes the queries use on the parent (time; each filter and time), so every partition has them', async () => {
      const { rows } = await sql<{ indexdef: string }>`
      select indexdef from pg_indexes where tablename = 'audit_log_entries' order by indexname`.execute(
        db(),
      );
      expect(rows.map((r) => r.indexdef.replace(/^.* USING btree /, ''))).toEqual([
        '(action, occurred_at DESC, id DESC)',
        '(decision_id, occurred_at DESC, id DESC)',
        '(decision, occurred_at DESC, id DESC)',
        '(gateway_instance, occurred_at DESC, id DESC)',
        '(occurred_at DESC, id DESC)',
        '(policy_path, occurred_at DESC, id DESC)',
        '(user_id, occurred_at DESC, id DESC)',
      ]);
      // Valid: migration 015's indexes, made on the parent alone, have every partition's copy.
      const { rows: invalid } = await sql<{ name: string }>`
        select c.relname as name from pg_index x join pg_class c on c.oid = x.indexrelid
         where x.indrelid = 'audit_log_entries'::regclass and not x.indisvalid`.execute(db());
      expect(invalid).toEqual([]);
    });

    /** Each partition's unique indexes, as `<suffix>: <definition>` (migration 010). */
    async function uniqueIndexesOfEachPartition(): Promise<Map<string, string[]>> {
      const { rows } = await sql<{ partition: string; indexname: string; indexdef: string }>`
        select c.relname as partition, x.indexname, x.indexdef
          from pg_inherits i
          join pg_class c on c.oid = i.inhrelid
          join pg_indexes x on x.tablename = c.relname and x.schemaname = current_schema()
         where i.inhparent = 'audit_log_entries'::regclass and x.indexdef like 'CREATE UNIQUE%'
         order by c.relname, x.indexname`.execute(db());
      const byPartition = new Map<string, string[]>();
      for (const row of rows) {
        const list = byPartition.get(row.partition) ?? [];
        list.push(
          `${row.indexname.slice(row.partition.length + 1)}: ${row.indexdef.replace(/^.* USING btree /, '')}`,
        );
        byPartition.set(row.partition, list);
      }
      return byPartition;
    }

    it('partitions audit_log_entries by month of occurred_at, with a legacy, monthly and a default partition', async () => {
      const { rows } = await sql<{ name: string; bound: string }>`
        select c.relname as name, pg_get_expr(c.relpartbound, c.oid) as bound
          from pg_inherits i join pg_class c on c.oid = i.inhrelid
         where i.inhparent = 'audit_log_entries'::regclass order by c.relname`.execute(db());
      const names = rows.map((r) => r.name);
      expect(names).toContain('audit_log_entries_legacy');
      expect(names).toContain('audit_log_entries_default');
      const now = new Date();
      const next = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 2, 1));
      const nextName = `audit_log_entries_y${next.getUTCFullYear()}m${String(next.getUTCMonth() + 1).padStart(2, '0')}`;
      expect(names).toContain(nextName);
      expect(rows.find((r) => r.name === 'audit_log_entries_legacy')?.bound).toMatch(
        /^FOR VALUES FROM \(MINVALUE\) TO \('/,
      );
    });

    it("holds in each partition a unique id, chain seq and user's idempotency key among the entries that decided", async () => {
      const partitions = await uniqueIndexesOfEachPartition();
      expect(partitions.size).toBeGreaterThanOrEqual(3);
      for (const [, indexes] of partitions) {
        expect(indexes).toEqual([
          'chain_seq_key: (chain_id, chain_seq) WHERE (chain_id IS NOT NULL)',
          'id_key: (id)',
          "idempotency_key: (user_id, idempotency_key) WHERE ((idempotency_key IS NOT NULL) AND (decision <> 'error'::text))",
        ]);
      }
    });

    it("keeps a user's idempotency key held across partitions: a later month cannot take it again", async () => {
      const repository = new PostgresAuditLogEntryRepository(db());
      const key = { userId: 'u-across', idempotencyKey: 'k-across', requestDigest: 'sha256:1' };
      const first = makeEntry({ ...key, occurredAt: '2020-01-15T00:00:00Z' });
      await repository.append(first);
      const later = makeEntry({
        ...key,
        occurredAt: new Date(Date.now() + 40 * 86_400_000).toISOString(),
      });
      await expect(repository.append(later)).rejects.toThrow(/idempotency/i);
      expect(await repository.findById(later.id)).toBeUndefined();
      expect((await repository.findByIdempotencyKey('u-across', 'k-across'))?.id).toBe(first.id);
    });

    it('keeps the four chain columns together', async () => {
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
        // A statement naming a partition: the parent's TRUNCATE trigger does not fire for it.
        sql`truncate table audit_log_entries_legacy`,
        sql`truncate table audit_log_entries_default`,
        sql`delete from audit_log_entries_legacy where id = ${entry.id}::uuid`,
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
