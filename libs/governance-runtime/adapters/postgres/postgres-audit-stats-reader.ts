/**
 * The stats of a database store, read from the roll-ups of migrations 019 and 022 (never from the
 * stored entries): the hourly ones for hour buckets, the daily ones for day buckets (and for the
 * whole days of the users' ranking), so an answer costs in proportion to the buckets, reasons,
 * users and bins of the range, not to its entries. Each roll-up is read together with what the
 * entries not yet rolled up add to it (`liveRollup`, migration 024: about a second's entries),
 * so every query counts exactly the entries committed when it runs. The six queries run one
 * after another on the pool (PGlite has one connection).
 */
import { type Kysely, sql } from 'kysely';
import type { AuditDecision } from '../../src/audit-log-entry.js';
import type { AuditStats } from '../../src/audit-stats.js';
import { assembleAuditStats, type LatencyKind } from '../../src/audit-stats-assembly.js';
import { type AuditStatsQuery, resolveAuditStatsQuery } from '../../src/audit-stats-query.js';
import type { AuditStatsReader } from '../../src/audit-stats-reader.js';
import type { AuditLogDatabase } from './audit-log-database.js';
import { liveRollup } from './audit-stats-rollup.js';

/** bigint comes back as text from `pg` and as a number from PGlite. */
type Count = string | number;

const TIMESTAMP = `'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'`;

const DAY_MS = 86_400_000;

/**
 * The whole UTC days within `[sinceMs, untilMs)` as `[from, to)`; when there is none, an empty
 * range at `untilMs`, so that the hours before it cover the whole range.
 */
function wholeDays(sinceMs: number, untilMs: number): { from: string; to: string } {
  const from = Math.ceil(sinceMs / DAY_MS) * DAY_MS;
  const to = Math.floor(untilMs / DAY_MS) * DAY_MS;
  const [start, end] = from < to ? [from, to] : [untilMs, untilMs];
  return { from: new Date(start).toISOString(), to: new Date(end).toISOString() };
}

export class PostgresAuditStatsReader implements AuditStatsReader {
  readonly #db: Kysely<AuditLogDatabase>;

  constructor(db: Kysely<AuditLogDatabase>) {
    this.#db = db;
  }

  async stats(query: AuditStatsQuery): Promise<AuditStats> {
    const q = resolveAuditStatsQuery(query);
    const since = new Date(q.sinceMs).toISOString();
    const until = new Date(q.untilMs).toISOString();
    // Day buckets read the daily roll-ups, hour buckets the hourly ones: a roll-up's row is
    // one bucket's count already (its key starts with the bucket), read as it is, with no
    // grouping, which cost three times the reading on a month of hours. A key's count may be
    // split over shards (migration 022: one row per writing backend's shard); the assembly
    // adds the rows of a bucket up, and every query that ranks or groups sums them. `date_part` is float8
    // arithmetic, where `extract` computes in numeric (twice the server's CPU per row).
    const bucket = sql.raw(`date_part('epoch', bucket) * 1000`);
    const table = (name: Parameters<typeof liveRollup>[0], grain = q.bucket, alias?: string) =>
      sql.raw(liveRollup(name, grain, alias));
    const range = sql`bucket >= ${since}::timestamptz and bucket < ${until}::timestamptz`;
    const db = this.#db;
    const decisions = await sql<{ bucket: number; decision: AuditDecision; entries: Count }>`
      select ${bucket} as bucket, decision, entries
        from ${table('audit_stats_decisions')} where ${range}`.execute(db);
    const latency = await sql<{ bucket: number; kind: LatencyKind; bin: number; entries: Count }>`
      select ${bucket} as bucket, kind, bin, entries
        from ${table('audit_stats_latency')} where ${range}`.execute(db);
    const reasons = await sql<{ bucket: number; code: string; entries: Count }>`
      with ranked as (
        select code from ${table('audit_stats_reasons')} where ${range} group by code
         order by sum(entries) desc, code collate "C" limit ${q.top})
      select ${bucket} as bucket, code, entries
        from ${table('audit_stats_reasons')} join ranked using (code) where ${range}`.execute(db);
    // The ranking sums the whole range whatever its buckets: its whole days from the daily
    // roll-up, only the hours before the first and after the last from the hourly one. A
    // month by hour then reads a row per user denied each day, not each hour (the roll-up
    // with the most rows: every user denied in a bucket).
    const days = wholeDays(q.sinceMs, q.untilMs);
    const denials = await sql<{ user_id: string; denials: Count }>`
      select user_id, sum(entries) as denials from (
        select user_id, entries from ${table('audit_stats_denials', 'day')}
         where bucket >= ${days.from}::timestamptz and bucket < ${days.to}::timestamptz
        union all
        select user_id, entries from ${table('audit_stats_denials', 'hour')}
         where (bucket >= ${since}::timestamptz and bucket < ${days.from}::timestamptz)
            or (bucket >= ${days.to}::timestamptz and bucket < ${until}::timestamptz)
      ) as denied group by user_id order by 2 desc, user_id collate "C" limit ${q.top}`.execute(db);
    const versions = await sql<{
      policy_version: string;
      first_seen: string;
      last_seen: string;
      entries: Count;
    }>`
      select v.policy_version,
             to_char((select min(a.first_at) from ${table('audit_stats_policy_versions', 'day', 'a')}
                       where a.policy_version = v.policy_version) at time zone 'UTC',
                     ${sql.raw(TIMESTAMP)}) as first_seen,
             to_char(max(v.last_at) at time zone 'UTC', ${sql.raw(TIMESTAMP)}) as last_seen,
             sum(v.entries) as entries
        from ${table('audit_stats_policy_versions', q.bucket, 'v')} where ${range} group by v.policy_version`.execute(
      db,
    );
    const sources = await sql<{
      action: string;
      source: string;
      entries: Count;
      last_committed_at: string;
      last_seen: string;
    }>`
      select action, source, sum(entries) as entries,
             to_char(max(last_committed_at) at time zone 'UTC', ${sql.raw(TIMESTAMP)}) as last_committed_at,
             to_char(max(last_at) at time zone 'UTC', ${sql.raw(TIMESTAMP)}) as last_seen
        from ${table('audit_stats_sources')} where ${range} group by action, source`.execute(db);
    return assembleAuditStats(q, {
      decisions: decisions.rows.map((row) => ({
        bucket: Number(row.bucket),
        decision: row.decision,
        entries: Number(row.entries),
      })),
      latency: latency.rows.map((row) => ({
        bucket: Number(row.bucket),
        kind: row.kind,
        bin: Number(row.bin),
        entries: Number(row.entries),
      })),
      reasons: reasons.rows.map((row) => ({
        bucket: Number(row.bucket),
        code: row.code,
        entries: Number(row.entries),
      })),
      denials: denials.rows.map((row) => ({ userId: row.user_id, denials: Number(row.denials) })),
      policyVersions: versions.rows.map((row) => ({
        policyVersion: row.policy_version,
        firstSeen: row.first_seen,
        lastSeen: row.last_seen,
        entries: Number(row.entries),
      })),
      sources: sources.rows.map((row) => ({
        action: row.action,
        source: row.source,
        entries: Number(row.entries),
        lastCommittedAt: row.last_committed_at,
        lastSeen: row.last_seen,
      })),
    });
  }
}
