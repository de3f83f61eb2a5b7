/**
 * Migration 002: `client_request_id`, the `X-Request-Id` a client sent, kept apart from
 * `request_id` (the gateway's own id for the request). Nullable and without a default, so
 * that adding it rewrites no row and replicas of the previous build, which do not write it,
 * keep inserting (see migration 001 on additive migrations); their rows and the rows written
 * before it read back as null.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('audit_log_entries').addColumn('client_request_id', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('audit_log_entries').dropColumn('client_request_id').execute();
}
