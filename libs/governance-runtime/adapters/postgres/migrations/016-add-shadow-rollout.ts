/**
 * Migration 016: shadow rollout and monitor mode (issue 14). `shadow` holds what a candidate
 * bundle running in shadow decided on the same request (jsonb); `enforced` is false on a
 * decision a gateway in monitor mode answered allow whatever it was. Both nullable without a
 * default: adding them rewrites no row, replicas of the previous build keep inserting, and
 * entries stored before read back without them, hashing as before.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('audit_log_entries')
    .addColumn('shadow', 'jsonb')
    .addColumn('enforced', 'boolean')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('audit_log_entries')
    .dropColumn('shadow')
    .dropColumn('enforced')
    .execute();
}
