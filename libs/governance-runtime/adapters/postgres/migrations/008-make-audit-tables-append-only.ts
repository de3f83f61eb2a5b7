/**
 * Migration 008: the audit tables are append-only in the database itself. Triggers refuse
 * every UPDATE and DELETE of a row, and TRUNCATE, of `audit_log_entries`, `audit_checkpoints`
 * and `audit_signing_keys`, for every role, with a message saying why. Nothing is allowed yet:
 * retention (issue 12) will remove whole time ranges by dropping partitions and record a signed
 * removal, not delete rows, so no role needs these statements.
 *
 * Triggers stop the gateway's role and any mistake; they do not stop a superuser, who can
 * disable them (`session_replication_role = replica`, `ALTER TABLE … DISABLE TRIGGER`). That
 * is what the hash chain and the signed checkpoints are for: the verifier detects what a
 * superuser changed. Where the gateway connects with a role other than the tables' owner,
 * also `REVOKE UPDATE, DELETE, TRUNCATE` on these tables from it (see the README).
 */
import { type Kysely, sql } from 'kysely';

export const APPEND_ONLY_TABLES = [
  'audit_log_entries',
  'audit_checkpoints',
  'audit_signing_keys',
] as const;

const REFUSE_FUNCTION = 'audit_refuse_change';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create function ${sql.id(REFUSE_FUNCTION)}() returns trigger language plpgsql as $$
    begin
      raise exception '% on % is refused: the audit trail is append-only (tamper evidence)', tg_op, tg_table_name
        using errcode = 'insufficient_privilege',
              hint = 'audit rows are never changed or removed; retention drops whole partitions and records a signed removal';
    end
    $$`.execute(db);
  for (const table of APPEND_ONLY_TABLES) {
    await sql`create trigger ${sql.id(`${table}_append_only`)}
      before update or delete on ${sql.id(table)}
      for each row execute function ${sql.id(REFUSE_FUNCTION)}()`.execute(db);
    await sql`create trigger ${sql.id(`${table}_no_truncate`)}
      before truncate on ${sql.id(table)}
      for each statement execute function ${sql.id(REFUSE_FUNCTION)}()`.execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of APPEND_ONLY_TABLES) {
    await sql`drop trigger ${sql.id(`${table}_no_truncate`)} on ${sql.id(table)}`.execute(db);
    await sql`drop trigger ${sql.id(`${table}_append_only`)} on ${sql.id(table)}`.execute(db);
  }
  await sql`drop function ${sql.id(REFUSE_FUNCTION)}()`.execute(db);
}
