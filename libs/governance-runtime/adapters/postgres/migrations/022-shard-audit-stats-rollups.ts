/**
 * Migration 022: the stats roll-ups of migration 019 get a `shard` at the end of each row's key,
 * and the trigger adds each INSERT's counts to the shard of the writing backend
 * (`pg_backend_pid() % 16`), so that concurrent writers add to different rows. On one row per
 * key, a writer waited on the row lock of the one before it until that one's commit was
 * flushed, which serialised every commit of the database (`docs/scaling.md`, "Commit
 * serialisation"). Readers sum over shards, as the stats reader of this build does.
 *
 * Locks: each roll-up table is held `ACCESS EXCLUSIVE` until the migration commits, while its
 * primary key is rebuilt over its rows (small tables: a few hundred rows per hour of trail;
 * the entries are not read). Writers wait for that, since their trigger adds to these tables:
 * 0.45 s for 735,000 roll-up rows (90 days of hours with 200 users denied each hour, 120
 * latency bins and 20 reasons), measured on the test server at load 3.8.
 * Rolling upgrade: a replica of the previous build keeps writing (the trigger is the database's,
 * not the build's), and its stats reader stays right: it already adds up the rows of a bucket
 * as it assembles an answer, and sums versions, sources, reasons and denials in SQL.
 */
import type { Kysely } from 'kysely';
import { shardAuditStatsRollups, unshardAuditStatsRollups } from '../audit-stats-rollup.js';

export async function up<DB>(db: Kysely<DB>): Promise<void> {
  await shardAuditStatsRollups(db);
}

export async function down<DB>(db: Kysely<DB>): Promise<void> {
  await unshardAuditStatsRollups(db);
}
