/**
 * Migration 021: where replays of a candidate policy (impact analysis, issue 17) are kept, beside
 * the trail and never in it: `replay_runs` (one row per replay: who started it, when, and its
 * document with progress and summary) and `replay_changes` (the decisions it would change, with
 * both results). Additive: a replica of the previous build never reads them.
 */
import { type Kysely, sql } from 'kysely';

export async function up<DB>(db: Kysely<DB>): Promise<void> {
  await sql`
    CREATE TABLE replay_runs (
      id uuid PRIMARY KEY,
      requested_by text NOT NULL,
      requested_at timestamptz NOT NULL,
      document jsonb NOT NULL
    )`.execute(db);
  await sql`CREATE INDEX replay_runs_requested_at ON replay_runs (requested_at)`.execute(db);
  await sql`
    CREATE TABLE replay_changes (
      replay_id uuid NOT NULL REFERENCES replay_runs (id) ON DELETE CASCADE,
      seq integer NOT NULL,
      audit_id uuid NOT NULL,
      transition text NOT NULL,
      change jsonb NOT NULL,
      PRIMARY KEY (replay_id, seq)
    )`.execute(db);
}

export async function down<DB>(db: Kysely<DB>): Promise<void> {
  await sql`DROP TABLE replay_changes`.execute(db);
  await sql`DROP TABLE replay_runs`.execute(db);
}
