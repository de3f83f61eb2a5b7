/**
 * Migration 003: `idempotency_key` (the client's `Idempotency-Key`) and `request_digest`
 * (the SHA-256 of the request it came with), and the unique index that makes the INSERT
 * itself record a keyed request once: one entry per user and key among the entries that
 * decided (`allow` or `deny`). Entries of failed evaluations (`error`) keep the key they
 * came with but do not hold it, so a retry after a failure evaluates again.
 *
 * The columns are nullable without a default, so adding them rewrites no row and replicas of
 * the previous build keep inserting (see migration 001 on additive migrations). The index is
 * partial: rows without a key (every row written before this migration) are not in it, but
 * building it still reads the table once, holding off writes meanwhile.
 */
import { type Kysely, sql } from 'kysely';

export const IDEMPOTENCY_KEY_INDEX = 'audit_log_entries_user_id_idempotency_key_idx';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('audit_log_entries')
    .addColumn('idempotency_key', 'text')
    .addColumn('request_digest', 'text')
    .execute();
  await db.schema
    .createIndex(IDEMPOTENCY_KEY_INDEX)
    .on('audit_log_entries')
    .columns(['user_id', 'idempotency_key'])
    .unique()
    .where(sql<boolean>`idempotency_key is not null and decision <> 'error'`)
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex(IDEMPOTENCY_KEY_INDEX).execute();
  await db.schema
    .alterTable('audit_log_entries')
    .dropColumn('request_digest')
    .dropColumn('idempotency_key')
    .execute();
}
