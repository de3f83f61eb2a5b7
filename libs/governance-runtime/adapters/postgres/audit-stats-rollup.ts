/**
 * The hourly roll-ups behind `GET /governance/audit/stats` (migration 019): decisions by
 * outcome, latency histograms (log-scale bins, `latency-histogram.ts`), reasons, denials per
 * user, policy versions and the sources of decisions (the gateway instance, or the OPA instance
 * of an uploaded decision, with the commit time of its last entry), each row keyed by its UTC
 * hour, and again by UTC day (`…_daily`), which day buckets read: a month by day reads 30 rows
 * of each kind where its hours would be 720. A statement trigger on
 * `audit_log_entries` adds every INSERT's rows to them in the INSERT's own transaction, so the
 * roll-ups hold exactly the committed entries, whichever write path (single, batch, atomic,
 * SQL by hand) wrote them; `rebuildAuditStats` recounts a range from the entries (the
 * migration's backfill, and retention after dropping a partition).
 *
 * Since migration 022 each row's key ends in a `shard` (0–15), and the trigger adds to the
 * shard of the writing backend (`pg_backend_pid() % 16`): concurrent writers then add to
 * different rows, where on one row each waited for the other's commit, flush included (the
 * "Commit serialisation" section of `docs/scaling.md`). Readers sum over shards; a rebuild
 * counts into shard 0. Writers that share a shard still add with `ON CONFLICT … DO UPDATE`,
 * each statement in key order so that two of them lock shared rows in the same order and
 * never deadlock.
 */
import { type Kysely, sql } from 'kysely';
import {
  LATENCY_BINS_PER_OCTAVE,
  LATENCY_MAX_BIN,
  LATENCY_MIN_BIN,
} from '../../src/latency-histogram.js';

/** The roll-ups of each hour; each has a `_daily` twin of each UTC day, for day buckets. */
const HOURLY_TABLES = [
  'audit_stats_decisions',
  'audit_stats_latency',
  'audit_stats_reasons',
  'audit_stats_denials',
  'audit_stats_policy_versions',
  'audit_stats_sources',
] as const;

export type AuditStatsGrain = 'hour' | 'day';

/** A roll-up table of a grain: `audit_stats_reasons` by hour, `audit_stats_reasons_daily` by day. */
export function statsTable(table: (typeof HOURLY_TABLES)[number], grain: AuditStatsGrain): string {
  return grain === 'hour' ? table : `${table}_daily`;
}

export const AUDIT_STATS_TABLES: readonly string[] = Object.freeze(
  HOURLY_TABLES.flatMap((table) => [statsTable(table, 'hour'), statsTable(table, 'day')]),
);

export const AUDIT_STATS_TRIGGER = 'audit_log_entries_stats_rollup';
export const AUDIT_STATS_FUNCTION = 'audit_stats_rollup';

/** The columns of an entry the roll-up statements read. */
const COUNTED_COLUMNS =
  'id, occurred_at, inserted_at, action, decision, reasons, user_id, latency_ms, policy_version, gateway_instance';

/** Entries uploaded by OPA carry OPA's own time: their commit says nothing of a request's. */
const UPLOADED_ACTION = 'opa.decision_log';

const HOUR_TEXT = `YYYY-MM-DD"T"HH24:MI:SS"Z"`;

/** `latencyBin` in SQL: floor(log2(ms) * 4), clamped; zero and below in the lowest bin. */
function binOf(ms: string): string {
  return `case when ${ms} > 0 then least(${LATENCY_MAX_BIN}, greatest(${LATENCY_MIN_BIN}, floor(ln(${ms}) / ln(2) * ${LATENCY_BINS_PER_OCTAVE})::int)) else ${LATENCY_MIN_BIN} end`;
}

/** How many rows of one key concurrent writers spread over (migration 022). */
export const AUDIT_STATS_SHARDS = 16;

/** The shard the trigger adds to: the writing backend's, so that two writers rarely share one. */
const WRITER_SHARD = `(pg_backend_pid() % ${AUDIT_STATS_SHARDS})::smallint`;

/**
 * Where the statements put the rows: `shard` is the SQL of the shard to add to (`null` for the
 * tables of migration 019, whose keys have no shard, which its own backfill writes).
 */
interface RollupTarget {
  readonly shard: string | null;
}

const UNSHARDED: RollupTarget = { shard: null };
/** What a recount writes: each key's count whole, in shard 0. */
const RECOUNT: RollupTarget = { shard: '0::smallint' };

/**
 * The statements that add the entries of `source` (a relation with the entries' columns) to
 * the roll-ups, as SQL text: the trigger's body and the rebuild run them.
 */
export function rollupStatements(
  source: string,
  target: RollupTarget = { shard: WRITER_SHARD },
): readonly string[] {
  return (['hour', 'day'] as const).flatMap((grain) => grainStatements(source, grain, target));
}

function grainStatements(
  source: string,
  grain: AuditStatsGrain,
  target: RollupTarget,
): readonly string[] {
  // The hour or day of an entry, in UTC whatever the session's time zone.
  const HOUR = `date_trunc('${grain}', occurred_at, 'UTC')`;
  const t = (table: (typeof HOURLY_TABLES)[number]) => statsTable(table, grain);
  // The shard follows the key's other columns (`s` in the column lists, `v` in the selects):
  // the selects group by those columns' positions, and the shard refers to no column.
  const s = target.shard === null ? '' : 'shard, ';
  const v = target.shard === null ? '' : `${target.shard}, `;
  const key = (columns: string) => (target.shard === null ? columns : `${columns}, shard`);
  const add = (table: string, columns: string) =>
    `on conflict (${key(columns)}) do update set entries = ${table}.entries + excluded.entries`;
  return [
    `insert into ${t('audit_stats_decisions')} (bucket, decision, ${s}entries)
       select ${HOUR}, decision, ${v}count(*) from ${source} as e group by 1, 2 order by 1, 2
       ${add(t('audit_stats_decisions'), 'bucket, decision')}`,
    `insert into ${t('audit_stats_latency')} (bucket, kind, bin, ${s}entries)
       select bucket, kind, bin, ${v}count(*) from (
         select ${HOUR} as bucket, 'evaluation' as kind, ${binOf('latency_ms')} as bin from ${source} as e
         union all
         select ${HOUR}, 'end_to_end', ${binOf('extract(epoch from inserted_at - occurred_at)::float8 * 1000')}
           from ${source} as e where action <> '${UPLOADED_ACTION}'
       ) as binned group by 1, 2, 3 order by 1, 2, 3
       ${add(t('audit_stats_latency'), 'bucket, kind, bin')}`,
    `insert into ${t('audit_stats_reasons')} (bucket, code, ${s}entries)
       select bucket, code, ${v}count(*) from (
         select distinct e.id, date_trunc('${grain}', e.occurred_at, 'UTC') as bucket, r.value ->> 'code' as code
           from ${source} as e cross join lateral jsonb_array_elements(e.reasons) as r
          where jsonb_typeof(e.reasons) = 'array' and r.value ->> 'code' is not null
       ) as given group by 1, 2 order by 1, 2
       ${add(t('audit_stats_reasons'), 'bucket, code')}`,
    `insert into ${t('audit_stats_denials')} (bucket, user_id, ${s}entries)
       select ${HOUR}, user_id, ${v}count(*) from ${source} as e where decision = 'deny'
        group by 1, 2 order by 1, 2
       ${add(t('audit_stats_denials'), 'bucket, user_id')}`,
    `insert into ${t('audit_stats_policy_versions')} (bucket, policy_version, ${s}first_at, last_at, entries)
       select ${HOUR}, policy_version, ${v}min(occurred_at), max(occurred_at), count(*) from ${source} as e
        group by 1, 2 order by 1, 2
       on conflict (${key('bucket, policy_version')}) do update set
         first_at = least(${t('audit_stats_policy_versions')}.first_at, excluded.first_at),
         last_at = greatest(${t('audit_stats_policy_versions')}.last_at, excluded.last_at),
         entries = ${t('audit_stats_policy_versions')}.entries + excluded.entries`,
    `insert into ${t('audit_stats_sources')} (bucket, action, source, ${s}last_at, last_committed_at, entries)
       select ${HOUR}, action, gateway_instance, ${v}max(occurred_at), max(inserted_at), count(*)
         from ${source} as e group by 1, 2, 3 order by 1, 2, 3
       on conflict (${key('bucket, action, source')}) do update set
         last_at = greatest(${t('audit_stats_sources')}.last_at, excluded.last_at),
         last_committed_at = greatest(${t('audit_stats_sources')}.last_committed_at, excluded.last_committed_at),
         entries = ${t('audit_stats_sources')}.entries + excluded.entries`,
  ];
}

/** Creates the roll-up tables, the trigger that keeps them, and counts the stored entries. */
export async function createAuditStatsRollups<DB>(db: Kysely<DB>): Promise<void> {
  const tables = (grain: AuditStatsGrain) => {
    const t = (table: (typeof HOURLY_TABLES)[number]) => statsTable(table, grain);
    return [
      `create table ${t('audit_stats_decisions')} (
         bucket timestamptz not null, decision text not null, entries bigint not null,
         primary key (bucket, decision))`,
      `create table ${t('audit_stats_latency')} (
         bucket timestamptz not null, kind text not null, bin smallint not null, entries bigint not null,
         primary key (bucket, kind, bin))`,
      `create table ${t('audit_stats_reasons')} (
         bucket timestamptz not null, code text not null, entries bigint not null,
         primary key (bucket, code))`,
      `create table ${t('audit_stats_denials')} (
         bucket timestamptz not null, user_id text not null, entries bigint not null,
         primary key (bucket, user_id))`,
      `create table ${t('audit_stats_policy_versions')} (
         bucket timestamptz not null, policy_version text not null,
         first_at timestamptz not null, last_at timestamptz not null, entries bigint not null,
         primary key (bucket, policy_version))`,
      `create table ${t('audit_stats_sources')} (
         bucket timestamptz not null, action text not null, source text not null,
         last_at timestamptz not null, last_committed_at timestamptz not null,
         entries bigint not null, primary key (bucket, action, source))`,
      `create index ${t('audit_stats_policy_versions')}_version_idx
         on ${t('audit_stats_policy_versions')} (policy_version, first_at)`,
    ];
  };
  const statements = [
    ...tables('hour'),
    ...tables('day'),
    `create function ${AUDIT_STATS_FUNCTION}() returns trigger language plpgsql as $$
     begin
       ${rollupStatements('new_entries', UNSHARDED).join(';\n')};
       return null;
     end
     $$`,
    `create trigger ${AUDIT_STATS_TRIGGER} after insert on audit_log_entries
       referencing new table as new_entries
       for each statement execute function ${AUDIT_STATS_FUNCTION}()`,
  ];
  for (const statement of statements) await sql.raw(statement).execute(db);
  // Created in this transaction, the trigger holds a lock that makes writers wait until the
  // backfill commits: no entry is counted twice or missed.
  await recount(db, {}, UNSHARDED);
}

export async function dropAuditStatsRollups<DB>(db: Kysely<DB>): Promise<void> {
  await sql.raw(`drop trigger ${AUDIT_STATS_TRIGGER} on audit_log_entries`).execute(db);
  await sql.raw(`drop function ${AUDIT_STATS_FUNCTION}()`).execute(db);
  for (const table of AUDIT_STATS_TABLES) await sql.raw(`drop table ${table}`).execute(db);
}

/**
 * Recounts the roll-ups of the UTC days that overlap `[from, to)` (every day when omitted) from
 * the entries stored now: deletes their rows, hourly and daily, then adds the entries of those
 * days. Run it in
 * the transaction that changed the entries (a dropped partition), so that both commit together.
 */
export async function rebuildAuditStats<DB>(
  db: Kysely<DB>,
  range: { readonly from?: string | null; readonly to?: string | null } = {},
): Promise<void> {
  await recount(db, range, RECOUNT);
}

async function recount<DB>(
  db: Kysely<DB>,
  range: { readonly from?: string | null; readonly to?: string | null },
  target: RollupTarget,
): Promise<void> {
  const from = range.from ?? null;
  const to = range.to ?? null;
  // Whole days (so whole hours too): from the day holding `from` to the end of the day holding
  // `to`'s last instant.
  const { rows } = await sql<{ from: string | null; to: string | null }>`
    select to_char(date_trunc('day', ${from}::timestamptz, 'UTC') at time zone 'UTC', ${HOUR_TEXT}) as "from",
           to_char((date_trunc('day', ${to}::timestamptz - interval '1 microsecond', 'UTC')
             + interval '1 day') at time zone 'UTC', ${HOUR_TEXT}) as "to"`.execute(db);
  const bounds = rows[0]!;
  // Literals of the server's own formatting, not of any input.
  const conditions = (column: string) =>
    [
      bounds.from === null ? undefined : `${column} >= '${bounds.from}'::timestamptz`,
      bounds.to === null ? undefined : `${column} < '${bounds.to}'::timestamptz`,
    ].filter((condition) => condition !== undefined);
  const within = (column: string) =>
    conditions(column).length === 0 ? '' : ` where ${conditions(column).join(' and ')}`;
  for (const table of AUDIT_STATS_TABLES) {
    await sql.raw(`delete from ${table}${within('bucket')}`).execute(db);
  }
  // One pass over the entries: the columns the roll-ups count, materialised once (a few dozen
  // bytes an entry, where a stored entry is a kilobyte) and read by each hourly roll-up's
  // INSERT, all in one statement. Each day's rows are then its hours' sums (an entry lies in
  // one hour), over every shard, in the daily tables' shard 0 (the column's default).
  const [first, ...rest] = grainStatements('counted', 'hour', target);
  await sql
    .raw(
      `with counted as materialized (
         select ${COUNTED_COLUMNS} from audit_log_entries${within('occurred_at')}),
       ${rest.map((statement, i) => `added_${i} as (${statement})`).join(',\n')}
       ${first}`,
    )
    .execute(db);
  for (const statement of dailyFromHourlyStatements(within('bucket'))) {
    await sql.raw(statement).execute(db);
  }
}

/**
 * The statements that add the hourly roll-ups' rows of whole days (`within`, a WHERE clause on
 * `bucket`) to the daily ones, whose rows of those days were deleted: counts add up, first and
 * last times are the hours' least and greatest.
 */
function dailyFromHourlyStatements(within: string): readonly string[] {
  const DAY = `date_trunc('day', bucket, 'UTC')`;
  const day = (table: (typeof HOURLY_TABLES)[number]) => statsTable(table, 'day');
  return [
    `insert into ${day('audit_stats_decisions')} (bucket, decision, entries)
       select ${DAY}, decision, sum(entries) from audit_stats_decisions${within} group by 1, 2`,
    `insert into ${day('audit_stats_latency')} (bucket, kind, bin, entries)
       select ${DAY}, kind, bin, sum(entries) from audit_stats_latency${within} group by 1, 2, 3`,
    `insert into ${day('audit_stats_reasons')} (bucket, code, entries)
       select ${DAY}, code, sum(entries) from audit_stats_reasons${within} group by 1, 2`,
    `insert into ${day('audit_stats_denials')} (bucket, user_id, entries)
       select ${DAY}, user_id, sum(entries) from audit_stats_denials${within} group by 1, 2`,
    `insert into ${day('audit_stats_policy_versions')} (bucket, policy_version, first_at, last_at, entries)
       select ${DAY}, policy_version, min(first_at), max(last_at), sum(entries)
         from audit_stats_policy_versions${within} group by 1, 2`,
    `insert into ${day('audit_stats_sources')} (bucket, action, source, last_at, last_committed_at, entries)
       select ${DAY}, action, source, max(last_at), max(last_committed_at), sum(entries)
         from audit_stats_sources${within} group by 1, 2, 3`,
  ];
}

/**
 * Migration 022: adds a `shard` to the end of each roll-up's key (0 for the rows there are),
 * and makes the trigger add to the writing backend's shard. `ALTER TABLE` holds each roll-up
 * table's `ACCESS EXCLUSIVE` lock until the migration commits: writers (whose trigger adds to
 * them) and stats readers wait for the primary keys' rebuild, which reads every roll-up row
 * (a few hundred rows an hour of trail; no entry is read). The new column's constant default
 * rewrites no table.
 */
export async function shardAuditStatsRollups<DB>(db: Kysely<DB>): Promise<void> {
  for (const [table, key] of rollupKeys()) {
    await sql
      .raw(
        `alter table ${table} add column shard smallint not null default 0,
           drop constraint ${table}_pkey, add primary key (${key}, shard)`,
      )
      .execute(db);
  }
  await replaceTriggerFunction(db, rollupStatements('new_entries'));
}

/**
 * Undoes migration 022: back to migration 019's keys and trigger, the shards' counts added up
 * by a recount from the entries (under the same locks as the migration, and as long as 019's
 * backfill).
 */
export async function unshardAuditStatsRollups<DB>(db: Kysely<DB>): Promise<void> {
  for (const table of AUDIT_STATS_TABLES) await sql.raw(`delete from ${table}`).execute(db);
  for (const [table, key] of rollupKeys()) {
    await sql
      .raw(
        `alter table ${table} drop constraint ${table}_pkey, drop column shard,
           add primary key (${key})`,
      )
      .execute(db);
  }
  await replaceTriggerFunction(db, rollupStatements('new_entries', UNSHARDED));
  await recount(db, {}, UNSHARDED);
}

/** Each roll-up table with the columns of its key before migration 022's shard. */
function rollupKeys(): readonly (readonly [string, string])[] {
  const keys: Record<(typeof HOURLY_TABLES)[number], string> = {
    audit_stats_decisions: 'bucket, decision',
    audit_stats_latency: 'bucket, kind, bin',
    audit_stats_reasons: 'bucket, code',
    audit_stats_denials: 'bucket, user_id',
    audit_stats_policy_versions: 'bucket, policy_version',
    audit_stats_sources: 'bucket, action, source',
  };
  return HOURLY_TABLES.flatMap((table) =>
    (['hour', 'day'] as const).map((grain) => [statsTable(table, grain), keys[table]] as const),
  );
}

async function replaceTriggerFunction<DB>(
  db: Kysely<DB>,
  statements: readonly string[],
): Promise<void> {
  await sql
    .raw(
      `create or replace function ${AUDIT_STATS_FUNCTION}() returns trigger language plpgsql as $$
       begin
         ${statements.join(';\n')};
         return null;
       end
       $$`,
    )
    .execute(db);
}
