/**
 * Migration 020: each statement that inserts into `audit_log_entries` announces it on the
 * channel `policy_gateway_audit_entries` (`pg_notify`, delivered when its transaction commits,
 * never for one rolled back), so that a gateway's live tails (`GET /governance/audit/stream`)
 * hear of entries another replica committed at once. One notice per statement, not per row:
 * a group commit of 500 entries is one INSERT and one notice, and PostgreSQL folds identical
 * notices of one transaction into one. The payload is empty; a listener reads the trail to
 * learn what is new. Additive: a replica of the previous build writes on, and is heard.
 */
import { type Kysely, sql } from 'kysely';

/** The channel gateways LISTEN on; the payload is always ''. */
export const AUDIT_ENTRY_COMMITS_CHANNEL = 'policy_gateway_audit_entries';

const NOTIFY_FUNCTION = 'audit_log_entries_notify_commit';
const TRIGGER = 'audit_log_entries_notify_commit';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create function ${sql.id(NOTIFY_FUNCTION)}() returns trigger language plpgsql as $$
    begin
      perform pg_notify(${sql.lit(AUDIT_ENTRY_COMMITS_CHANNEL)}, '');
      return null;
    end
    $$`.execute(db);
  await sql`create trigger ${sql.id(TRIGGER)}
    after insert on audit_log_entries
    for each statement execute function ${sql.id(NOTIFY_FUNCTION)}()`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop trigger ${sql.id(TRIGGER)} on audit_log_entries`.execute(db);
  await sql`drop function ${sql.id(NOTIFY_FUNCTION)}()`.execute(db);
}
