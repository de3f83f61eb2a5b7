/**
 * Migration 024: the stats roll-ups are no longer added to by the INSERT's trigger, which ran
 * twelve upserts per INSERT (about 160 µs of the server's CPU per entry at the gateway's batch
 * sizes: `docs/scaling.md`). The trigger now copies the columns they count into
 * `audit_stats_pending`, the gateway rolls those up every second in one statement, and readers
 * count what is pending beside the roll-ups, so answers stay exact (`audit-stats-rollup.ts`).
 *
 * Online: a new empty table and the trigger function replaced, no table read; writers wait only
 * for the replacement. Rolling upgrade: a replica of the previous build writes on (the trigger
 * is the database's) and its entries are rolled up by the new build's replicas; its stats reader
 * reads the roll-ups alone, so it lags by what is pending (a second's entries) until upgraded.
 * Down rolls up what is pending, then puts the previous trigger back.
 */
import type { Kysely } from 'kysely';
import { deferAuditStatsRollups, undeferAuditStatsRollups } from '../audit-stats-rollup.js';

export async function up<DB>(db: Kysely<DB>): Promise<void> {
  await deferAuditStatsRollups(db);
}

export async function down<DB>(db: Kysely<DB>): Promise<void> {
  await undeferAuditStatsRollups(db);
}
