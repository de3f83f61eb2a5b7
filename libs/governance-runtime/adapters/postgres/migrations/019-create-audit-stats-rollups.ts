/**
 * Migration 019: hourly roll-ups of the trail for `GET /governance/audit/stats` (issue 17), kept
 * by a statement trigger on `audit_log_entries` in the transaction of each INSERT
 * (`audit-stats-rollup.ts`), and counted from the stored entries here (the backfill). Creating
 * the trigger locks out writers until this migration commits, so the backfill and the trigger
 * neither miss nor double-count an entry; writers wait for the backfill's length (see the
 * service README's figures). Additive: a replica of the previous build writes on, its entries
 * counted by the trigger.
 */
import type { Kysely } from 'kysely';
import { createAuditStatsRollups, dropAuditStatsRollups } from '../audit-stats-rollup.js';

export async function up<DB>(db: Kysely<DB>): Promise<void> {
  await createAuditStatsRollups(db);
}

export async function down<DB>(db: Kysely<DB>): Promise<void> {
  await dropAuditStatsRollups(db);
}
