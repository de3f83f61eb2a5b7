/**
 * Migration 023: removes migration 020's trigger, which sent the notice of committed entries
 * (`pg_notify`) inside each INSERT's transaction. A transaction that notifies holds a
 * database-wide lock from just before its commit until the commit is flushed, so every writer's
 * commit waited for the one before (`docs/scaling.md`, "Commit serialisation"). The gateway now
 * sends the same empty notice on the same channel itself, after its batch has committed, in a
 * short transaction of its own (`commit-notice-sender.ts` in the service).
 *
 * Rolling upgrade: a replica of a build before this one, still writing to the migrated database,
 * is no longer announced by the trigger, and does not announce itself; the live tails of other
 * replicas see its entries at their next heartbeat (15 s by default) instead of at once, until
 * it is upgraded. Entries written by hand (SQL) are no longer announced either. Nothing is lost:
 * a notice carries nothing, and a tail reads the trail for what is new. Takes the entries
 * table's lock only to drop the trigger (a catalog change, no table read).
 */
import type { Kysely } from 'kysely';
import * as noticeInEachTransaction from './020-notify-audit-entry-commits.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  await noticeInEachTransaction.down(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await noticeInEachTransaction.up(db);
}
