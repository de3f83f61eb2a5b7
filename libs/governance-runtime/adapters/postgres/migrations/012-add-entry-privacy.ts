/**
 * Migration 012: privacy in the audit trail (issue 13). `masking` records what a mask policy
 * erased or overwrote and which spans of the prompt were redacted (OPA's `erased`/`masked`);
 * `sealed_original` holds the unmasked input encrypted under the subject's data key. Both are
 * jsonb, nullable without a default: adding them rewrites no row, replicas of the previous
 * build keep inserting, and entries stored before read back without them, hashing as before.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('audit_log_entries')
    .addColumn('masking', 'jsonb')
    .addColumn('sealed_original', 'jsonb')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('audit_log_entries')
    .dropColumn('masking')
    .dropColumn('sealed_original')
    .execute();
}
