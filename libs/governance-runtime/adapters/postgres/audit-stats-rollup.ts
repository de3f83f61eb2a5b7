/**
 * The hourly roll-ups behind `GET /governance/audit/stats` (migration 019): decisions by
 * outcome, latency histograms (log-scale bins, `latency-histogram.ts`), reasons, denials per
 * user, policy versions and the sources of decisions (the gateway instance, or the OPA instance
 * of an uploaded decision, with the commit time of its last entry), each row keyed by its UTC
 * hour, and again by UTC day (`…_daily`), which day buckets read: a month by day reads 30 rows
 * of each kind where its hours would be 720. `rebuildAuditStats` recounts a range from the
 * entries (the migration's backfill, and retention after dropping a partition).
 *
 * How entries reach them (migration 024): a statement trigger on `audit_log_entries` copies the
 * columns they count of every INSERT's entries into `audit_stats_pending`, in the INSERT's own
 * transaction, whichever write path (single, batch, atomic, SQL by hand) wrote them; and
 * `rollUpPendingAuditStats` (the gateway runs it every second) moves what is pending into the
 * roll-ups in one statement. Readers read a roll-up together with the pending entries' share
 * (`liveRollup`), in one statement's snapshot, so an answer counts exactly the committed
 * entries however far the roll-up is behind. Until migration 024 the trigger added to the
 * roll-ups itself: twelve upserts per INSERT, about 160 µs of the server's CPU per entry at
 * the gateway's batch sizes, the largest part of its work per decision (`docs/scaling.md`).
 *
 * Since migration 022 each row's key ends in a `shard` (0–15). The trigger of 022 added to the
 * shard of the writing backend (`pg_backend_pid() % 16`), so that concurrent writers added to
 * different rows; a roll-up of pending entries and a rebuild add to shard 0, one at a time
 * (`ROLLUP_LOCK`). Readers sum over shards. Statements that add with `ON CONFLICT … DO UPDATE`
 * go in key order, so that two of them lock shared rows in the same order and never deadlock.
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

type HourlyTable = (typeof HOURLY_TABLES)[number];

/**
 * Each roll-up's columns, without the shard: its key (before migration 022's shard) and what it
 * keeps of each key, in the order the tables and their SELECTs (`rollupSelects`) have them.
 */
const ROLLUP_COLUMNS: Readonly<Record<HourlyTable, { key: string; kept: string }>> = {
  audit_stats_decisions: { key: 'bucket, decision', kept: 'entries' },
  audit_stats_latency: { key: 'bucket, kind, bin', kept: 'entries' },
  audit_stats_reasons: { key: 'bucket, code', kept: 'entries' },
  audit_stats_denials: { key: 'bucket, user_id', kept: 'entries' },
  audit_stats_policy_versions: {
    key: 'bucket, policy_version',
    kept: 'first_at, last_at, entries',
  },
  audit_stats_sources: {
    key: 'bucket, action, source',
    kept: 'last_at, last_committed_at, entries',
  },
};

export type AuditStatsGrain = 'hour' | 'day';

/** A roll-up table of a grain: `audit_stats_reasons` by hour, `audit_stats_reasons_daily` by day. */
export function statsTable(table: HourlyTable, grain: AuditStatsGrain): string {
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
  const t = (table: HourlyTable) => statsTable(table, grain);
  // The shard follows the key's other columns (`s` in the column lists, `v` in the selects):
  // the selects group by those columns' positions, and the shard refers to no column.
  const s = target.shard === null ? '' : 'shard, ';
  const v = target.shard === null ? '' : `${target.shard}, `;
  const key = (table: HourlyTable) =>
    target.shard === null ? ROLLUP_COLUMNS[table].key : `${ROLLUP_COLUMNS[table].key}, shard`;
  const select = rollupSelects(source, grain, v);
  const insert = (table: HourlyTable) => {
    const { key: keyColumns, kept } = ROLLUP_COLUMNS[table];
    return `insert into ${t(table)} (${keyColumns}, ${s}${kept})
       ${select[table]}
       on conflict (${key(table)}) do update set`;
  };
  const add = (table: HourlyTable) =>
    `${insert(table)} entries = ${t(table)}.entries + excluded.entries`;
  return [
    add('audit_stats_decisions'),
    add('audit_stats_latency'),
    add('audit_stats_reasons'),
    add('audit_stats_denials'),
    `${insert('audit_stats_policy_versions')}
         first_at = least(${t('audit_stats_policy_versions')}.first_at, excluded.first_at),
         last_at = greatest(${t('audit_stats_policy_versions')}.last_at, excluded.last_at),
         entries = ${t('audit_stats_policy_versions')}.entries + excluded.entries`,
    `${insert('audit_stats_sources')}
         last_at = greatest(${t('audit_stats_sources')}.last_at, excluded.last_at),
         last_committed_at = greatest(${t('audit_stats_sources')}.last_committed_at, excluded.last_committed_at),
         entries = ${t('audit_stats_sources')}.entries + excluded.entries`,
  ];
}

/**
 * What each roll-up of `grain` counts of the entries of `source`, as a SELECT of its columns in
 * the table's order (`v`: the shard's value and a comma, or empty for the columns without it),
 * one row per key: the roll-up statements insert them, and a stats reader reads the pending
 * entries' rows beside the roll-ups' own (`liveRollup`).
 */
function rollupSelects(
  source: string,
  grain: AuditStatsGrain,
  v: string,
): Readonly<Record<HourlyTable, string>> {
  // The hour or day of an entry, in UTC whatever the session's time zone.
  const HOUR = `date_trunc('${grain}', occurred_at, 'UTC')`;
  return {
    audit_stats_decisions: `select ${HOUR}, decision, ${v}count(*) from ${source} as e group by 1, 2 order by 1, 2`,
    audit_stats_latency: `select bucket, kind, bin, ${v}count(*) from (
         select ${HOUR} as bucket, 'evaluation' as kind, ${binOf('latency_ms')} as bin from ${source} as e
         union all
         select ${HOUR}, 'end_to_end', ${binOf('extract(epoch from inserted_at - occurred_at)::float8 * 1000')}
           from ${source} as e where action <> '${UPLOADED_ACTION}'
       ) as binned group by 1, 2, 3 order by 1, 2, 3`,
    audit_stats_reasons: `select bucket, code, ${v}count(*) from (
         select distinct e.id, date_trunc('${grain}', e.occurred_at, 'UTC') as bucket, r.value ->> 'code' as code
           from ${source} as e cross join lateral jsonb_array_elements(e.reasons) as r
          where jsonb_typeof(e.reasons) = 'array' and r.value ->> 'code' is not null
       ) as given group by 1, 2 order by 1, 2`,
    audit_stats_denials: `select ${HOUR}, user_id, ${v}count(*) from ${source} as e where decision = 'deny'
        group by 1, 2 order by 1, 2`,
    audit_stats_policy_versions: `select ${HOUR}, policy_version, ${v}min(occurred_at), max(occurred_at), count(*) from ${source} as e
        group by 1, 2 order by 1, 2`,
    audit_stats_sources: `select ${HOUR}, action, gateway_instance, ${v}max(occurred_at), max(inserted_at), count(*)
         from ${source} as e group by 1, 2, 3 order by 1, 2, 3`,
  };
}

/** Creates the roll-up tables, the trigger that keeps them, and counts the stored entries. */
export async function createAuditStatsRollups<DB>(db: Kysely<DB>): Promise<void> {
  const tables = (grain: AuditStatsGrain) => {
    const t = (table: HourlyTable) => statsTable(table, grain);
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
  // What is pending is rolled up first, under the lock a roll-up takes, so that the recount
  // replaces it rather than having it added again afterwards.
  if (await hasPendingTable(db)) await rollUpPending(db, { wait: true });
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
  const day = (table: HourlyTable) => statsTable(table, 'day');
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
  return HOURLY_TABLES.flatMap((table) =>
    (['hour', 'day'] as const).map(
      (grain) => [statsTable(table, grain), ROLLUP_COLUMNS[table].key] as const,
    ),
  );
}

/** Where the trigger puts the entries the roll-ups have yet to count (migration 024). */
export const AUDIT_STATS_PENDING = 'audit_stats_pending';

/**
 * Serialises what adds to shard 0 (a roll-up of pending entries, a rebuild), so that two never
 * wait on each other's rows.
 */
const ROLLUP_LOCK = `hashtextextended('policy-gateway/audit-stats-rollup', 0)`;

/**
 * Migration 024: creates `audit_stats_pending` and makes the trigger copy each INSERT's counted
 * columns there instead of adding them to the roll-ups. A catalog change only: the entries are
 * not read, and writers wait just for the function's replacement.
 */
export async function deferAuditStatsRollups<DB>(db: Kysely<DB>): Promise<void> {
  // No key and no index: rows are only ever inserted, then all read and deleted together.
  await sql
    .raw(
      `create table ${AUDIT_STATS_PENDING} (
         id uuid not null, occurred_at timestamptz not null, inserted_at timestamptz not null,
         action text not null, decision text not null, reasons jsonb not null,
         user_id text not null, latency_ms double precision not null,
         policy_version text not null, gateway_instance text not null)`,
    )
    .execute(db);
  await replaceTriggerFunction(db, [
    `insert into ${AUDIT_STATS_PENDING} (${COUNTED_COLUMNS})
       select ${COUNTED_COLUMNS} from new_entries`,
  ]);
}

/** Undoes migration 024: what is pending is rolled up, and the trigger adds to the roll-ups again. */
export async function undeferAuditStatsRollups<DB>(db: Kysely<DB>): Promise<void> {
  // The table's lock first: no writer adds to it between the last roll-up and the drop.
  await sql.raw(`lock table ${AUDIT_STATS_PENDING} in exclusive mode`).execute(db);
  await rollUpPending(db, { wait: true });
  await replaceTriggerFunction(db, rollupStatements('new_entries'));
  await sql.raw(`drop table ${AUDIT_STATS_PENDING}`).execute(db);
}

/**
 * Adds the pending entries (`audit_stats_pending`) to the roll-ups and removes them, in one
 * statement of one transaction: an entry is counted once whoever runs this and however often,
 * concurrently included. Returns how many entries were added: 0 as well when another session
 * is rolling up (this one does not wait for it).
 */
export async function rollUpPendingAuditStats<DB>(db: Kysely<DB>): Promise<number> {
  return db.isTransaction
    ? rollUpPending(db, { wait: false })
    : db.transaction().execute((trx) => rollUpPending(trx, { wait: false }));
}

/** `rollUpPendingAuditStats` in the caller's transaction, which holds the lock until it ends. */
async function rollUpPending<DB>(
  db: Kysely<DB>,
  { wait }: { readonly wait: boolean },
): Promise<number> {
  if (wait) {
    await sql.raw(`select pg_advisory_xact_lock(${ROLLUP_LOCK})`).execute(db);
  } else {
    const { rows } = await sql<{ locked: boolean }>`
      select pg_try_advisory_xact_lock(${sql.raw(ROLLUP_LOCK)}) as locked`.execute(db);
    if (rows[0]?.locked !== true) return 0;
  }
  // The deleted rows feed every roll-up's INSERT, all of one statement: they see one
  // snapshot, so an entry committed meanwhile stays pending for the next roll-up.
  const statements = rollupStatements('moved', RECOUNT);
  const { rows } = await sql
    .raw<{ moved: string | number }>(
      `with moved as (
         delete from ${AUDIT_STATS_PENDING} returning ${COUNTED_COLUMNS}),
       ${statements.map((statement, i) => `added_${i} as (${statement})`).join(',\n')}
       select count(*) as moved from moved`,
    )
    .execute(db);
  return Number(rows[0]?.moved ?? 0);
}

async function hasPendingTable<DB>(db: Kysely<DB>): Promise<boolean> {
  const { rows } = await sql<{ found: boolean }>`
    select to_regclass(${AUDIT_STATS_PENDING}) is not null as found`.execute(db);
  return rows[0]?.found === true;
}

/**
 * A roll-up of `grain` as a reader should see it, as a FROM item named `alias` (the table's name
 * unless given): its rows (without the shard) and, beside them, those the pending entries would
 * add. Each key may then have several rows, as with shards: readers add them up.
 *
 * @example
 * sql.raw(`select bucket, decision, entries from ${liveRollup('audit_stats_decisions', 'hour')} where …`)
 */
export function liveRollup(
  table: HourlyTable,
  grain: AuditStatsGrain,
  alias = statsTable(table, grain),
): string {
  const { key, kept } = ROLLUP_COLUMNS[table];
  return `(select ${key}, ${kept} from ${statsTable(table, grain)}
           union all ${rollupSelects(AUDIT_STATS_PENDING, grain, '')[table]}) as ${alias}`;
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
