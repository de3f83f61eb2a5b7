/**
 * What keeps concurrent commits of the audit trail apart on a PostgreSQL server: BENCH_WRITERS
 * (8) connections each commit batches of BENCH_BATCH (4) entries one after another (group
 * commit's shape, one INSERT per transaction, as several gateway workers or replicas send
 * them), for BENCH_SECONDS (5), in BENCH_ROUNDS (3) alternating rounds of each mode:
 * - `as of 021`: a database migrated to 021, with the stats roll-up (migration 019, one row per
 *   key) and the commit notice sent by a trigger in each INSERT's transaction (migration 020);
 * - `as migrated now`: a database migrated to the latest, its roll-up rows per writer's shard
 *   (022) and no notice trigger (023); each writer sends the notice after its commits the way
 *   the gateway's `CommitNoticeSender` does (its own transaction, `synchronous_commit = off`,
 *   one in flight per writer and one more for the commits made meanwhile);
 * - `now, no notice` and `neither` (roll-up trigger disabled too): what each part costs.
 * Since migration 024 the roll-up trigger of `as migrated now` only copies each INSERT's counted
 * columns into `audit_stats_pending`; the roll-up of those (which `serve` runs every second, about
 * 15 µs per entry at 2,000 a roll-up) is not run here.
 * Beside entries/s (medians), what the writers' backends were waiting on, sampled from
 * `pg_stat_activity` every 20 ms:
 * - `Lock:transactionid`: a roll-up row another transaction updated and has not committed
 *   (every batch of the same hour adds to the same `audit_stats_decisions` row, and so on);
 * - `Lock:object`: NOTIFY's database-wide lock, which a notifying transaction holds from just
 *   before its commit until the commit has been flushed;
 * - `LWLock:WALWrite` / `IO:WALSync`: waiting for the WAL flush, which concurrent commits share
 *   (PostgreSQL's own group commit), the wait that remains when nothing else serialises them.
 * And the server's CPU per entry: the writers' backends' user and system time from
 * /proc/<pid>/stat over the round (a server on this machine only; `–` otherwise), which tells
 * what each part costs in work rather than in waiting.
 *
 * Usage: npx tsx scripts/bench-commit-contention.ts (from libs/governance-runtime)
 *   POLICY_GATEWAY_TEST_DATABASE_URL's server when set, else an embedded one.
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { type Kysely, sql } from 'kysely';
import { Migrator } from 'kysely/migration';
import pg from 'pg';
import type { AuditLogDatabase } from '../adapters/postgres/audit-log-database.js';
import { auditLogMigrationProvider } from '../adapters/postgres/audit-log-migrations.js';
import { AUDIT_STATS_TRIGGER } from '../adapters/postgres/audit-stats-rollup.js';
import { AUDIT_ENTRY_COMMITS_CHANNEL } from '../adapters/postgres/migrations/020-notify-audit-entry-commits.js';
import { openPostgresAuditLogDatabase } from '../adapters/postgres/open-postgres-audit-log-database.js';
import { PostgresAuditLogEntryRepository } from '../adapters/postgres/postgres-audit-log-entry-repository.js';
import { makeEntry } from '../testing/audit-log-entry-fixtures.js';
import { createTestDatabase } from '../testing/create-test-database.js';
import { stopSharedEmbeddedTestServer } from '../testing/embedded-test-server.js';
import { migrateAuditLogToLatest } from '../testing/open-test-pglite.js';

const writers = Number(process.env.BENCH_WRITERS ?? 8);
const batch = Number(process.env.BENCH_BATCH ?? 4);
const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);

/** The schema before the roll-up's shards (022) and the notice after commit (023). */
const BEFORE = '021_create_replays';

const MODES = [
  { name: 'as of 021', schema: 'before', rollup: true, notice: 'trigger' },
  { name: 'as migrated now', schema: 'latest', rollup: true, notice: 'after commit' },
  { name: 'now, no notice', schema: 'latest', rollup: true, notice: 'none' },
  { name: 'neither', schema: 'latest', rollup: false, notice: 'none' },
] as const;

type Mode = (typeof MODES)[number];

/**
 * The gateway's notice after commit, per writer (a writer stands for a gateway process): at
 * most one in flight, and one more for the commits made while it was.
 */
function noticeAfterCommit(db: Kysely<AuditLogDatabase>): {
  committed(): void;
  settled(): Promise<void>;
} {
  let sending: Promise<void> | undefined;
  let again = false;
  const send = async () => {
    do {
      again = false;
      await db.transaction().execute(async (trx) => {
        await sql`set local synchronous_commit = off`.execute(trx);
        await sql`select pg_notify(${AUDIT_ENTRY_COMMITS_CHANNEL}, '')`.execute(trx);
      });
    } while (again);
  };
  return {
    committed() {
      if (sending !== undefined) {
        again = true;
        return;
      }
      sending = send().finally(() => {
        sending = undefined;
      });
    },
    settled: async () => {
      await sending;
    },
  };
}

interface Figures {
  readonly perSecond: number;
  readonly waits: ReadonlyMap<string, number>;
  /** The backends' CPU µs per entry written; undefined when their /proc is not readable. */
  readonly serverCpuUs: number | undefined;
}

/** Clock ticks of a process's user and system time, or undefined (not on this machine). */
function cpuTicks(pid: number): number | undefined {
  try {
    // The fields after the command name (which may hold spaces): utime and stime are 14 and 15.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return undefined;
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1]!;
}

const databases = { before: await createTestDatabase(), latest: await createTestDatabase() };
const open = (url: string) =>
  // A writer's notice takes a connection of its own beside its batches.
  openPostgresAuditLogDatabase({ connectionString: url, maxConnections: 2 * writers + 1 });
const dbs = { before: open(databases.before.url), latest: open(databases.latest.url) };
const monitor = new pg.Client({ connectionString: databases.latest.url });
try {
  const migrated = await new Migrator({
    db: dbs.before,
    provider: auditLogMigrationProvider,
  }).migrateTo(BEFORE);
  if (migrated.error !== undefined) throw migrated.error;
  await migrateAuditLogToLatest(dbs.latest);
  await monitor.connect();

  const load = async (mode: Mode): Promise<Figures> => {
    const db = dbs[mode.schema];
    const repository = new PostgresAuditLogEntryRepository(db);
    const name = new URL(databases[mode.schema].url).pathname.slice(1);
    const waits = new Map<string, number>();
    let written = 0;
    let done = false;
    const sampling = (async () => {
      while (!done) {
        const { rows } = await monitor.query<{ wait: string }>(
          `select coalesce(wait_event_type || ':' || wait_event, 'running') as wait
             from pg_stat_activity
            where datname = $1 and pid <> pg_backend_pid() and state = 'active'`,
          [name],
        );
        for (const { wait } of rows) waits.set(wait, (waits.get(wait) ?? 0) + 1);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    const backends = async () =>
      (
        await monitor.query<{ pid: number }>(
          'select pid from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
          [name],
        )
      ).rows.map((row) => row.pid);
    const ticksBefore = new Map((await backends()).map((pid) => [pid, cpuTicks(pid)]));
    const until = performance.now() + seconds * 1000;
    await Promise.all(
      Array.from({ length: writers }, async () => {
        const notice = noticeAfterCommit(db);
        while (performance.now() < until) {
          const occurredAt = new Date().toISOString();
          const entries = Array.from({ length: batch }, () => makeEntry({ occurredAt }));
          const result = await repository.appendMany(entries, { atomic: true });
          if (result.error !== undefined) throw result.error;
          written += batch;
          if (mode.notice === 'after commit') notice.committed();
        }
        await notice.settled();
      }),
    );
    done = true;
    await sampling;
    // A backend opened during the round counts from its start (its connection's set-up too).
    let ticks: number | undefined = 0;
    for (const pid of await backends()) {
      const after = cpuTicks(pid);
      const before = ticksBefore.has(pid) ? ticksBefore.get(pid) : 0;
      ticks =
        after === undefined || before === undefined || ticks === undefined
          ? undefined
          : ticks + after - before;
    }
    // Linux counts 100 ticks a second.
    const serverCpuUs = ticks === undefined ? undefined : (ticks * 10_000) / Math.max(written, 1);
    return { perSecond: written / seconds, waits, serverCpuUs };
  };

  const byMode = new Map<string, Figures[]>(MODES.map((m) => [m.name, []]));
  // Round -1 is not counted: it opens every writer's connections, whose start-up the server's
  // CPU per entry would otherwise carry in the first rounds.
  for (let round = -1; round < rounds; round += 1) {
    for (const mode of MODES) {
      await sql
        .raw(
          `alter table audit_log_entries ${mode.rollup ? 'enable' : 'disable'} trigger ${AUDIT_STATS_TRIGGER}`,
        )
        .execute(dbs[mode.schema]);
      const figures = await load(mode);
      if (round >= 0) byMode.get(mode.name)!.push(figures);
    }
  }
  console.log(
    `${writers} writers, batches of ${batch}, ${rounds} rounds of ${seconds} s, alternating; load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  const reference = median(byMode.get('as of 021')!.map((f) => f.perSecond));
  for (const mode of MODES) {
    const runs = byMode.get(mode.name)!;
    const perSecond = median(runs.map((f) => f.perSecond));
    const cpus = runs.flatMap((f) => (f.serverCpuUs === undefined ? [] : [f.serverCpuUs]));
    const cpu = cpus.length === 0 ? '–' : median(cpus).toFixed(0);
    const waits = new Map<string, number>();
    for (const run of runs) {
      for (const [wait, n] of run.waits) waits.set(wait, (waits.get(wait) ?? 0) + n);
    }
    const total = [...waits.values()].reduce((a, b) => a + b, 0);
    const top = [...waits]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3)
      .map(([wait, n]) => `${wait} ${((100 * n) / Math.max(total, 1)).toFixed(0)}%`)
      .join(', ');
    console.log(
      `${mode.name.padEnd(16)} ${perSecond.toFixed(0).padStart(7)} entries/s  ${(perSecond / reference).toFixed(2)}x  server ${cpu.padStart(4)} µs/entry  waits: ${top}`,
    );
  }
} finally {
  await monitor.end();
  await dbs.before.destroy();
  await dbs.latest.destroy();
  await databases.before.drop();
  await databases.latest.drop();
  await stopSharedEmbeddedTestServer();
}
