/**
 * Migration 014: API keys may hold the `privacy-officer` role (issue 13), who reads the sealed
 * originals of audit entries with a reason. Only the role check of `api_keys` changes; a
 * replica of the previous build reads such a key as an unknown role and refuses it.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table api_keys drop constraint if exists api_keys_role_check`.execute(db);
  await sql`alter table api_keys add constraint api_keys_role_check
      check (role in ('evaluator', 'auditor', 'admin', 'privacy-officer'))`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table api_keys drop constraint if exists api_keys_role_check`.execute(db);
  await sql`alter table api_keys add constraint api_keys_role_check
      check (role in ('evaluator', 'auditor', 'admin'))`.execute(db);
}
