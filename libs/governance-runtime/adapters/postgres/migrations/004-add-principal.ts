/**
 * Migration 004: `principal_id`, the authenticated identity that asked for the decision
 * (`key:<id>` for an API key, `oidc:<subject>@<issuer>` for a token, `anonymous` with
 * authentication off), recorded beside `user_id` (whom the decision is about), so that an
 * entry says who wrote it as well as about whom. Nullable and without a default, so that adding
 * it rewrites no row and replicas of the previous build keep inserting (see migration 001 on
 * additive migrations); entries written before it read back as null: nobody was asked.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('audit_log_entries').addColumn('principal_id', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('audit_log_entries').dropColumn('principal_id').execute();
}
