/**
 * What keeps concurrent commits of the audit trail apart on a PostgreSQL server: BENCH_WRITERS
 * (8) connections each commit batches of BENCH_BATCH (4) entries one after another (group
 * commit's shape, one INSERT per transaction, as several gateway workers or replicas send
 * them), for BENCH_SECONDS (5), with the two statement triggers on `audit_log_entries` on or
 * off: the stats roll-up (migration 019) and the commit notice (migration 020), in
 * BENCH_ROUNDS (3) alternating rounds. Beside entries/s (medians), what the writers' backends
 * were waiting on, sampled from `pg_stat_activity` every 20 ms:
 * - `Lock:transactionid`: a roll-up row another transaction updated and has not committed
 *   (every batch of the same hour adds to the same `audit_stats_decisions` row, and so on);
 * - `Lock:object`: NOTIFY's database-wide lock, which a notifying transaction holds from just
 *   before its commit until the commit has been flushed;
 * - `LWLock:WALWrite` / `IO:WALSync`: waiting for the WAL flush, which concurrent commits share
 *   (PostgreSQL's own group commit), the wait that remains when nothing else serialises them.
 *
 * Usage: npx tsx scripts/bench-commit-contention.ts (from libs/governance-runtime)
 *   POLICY_GATEWAY_TEST_DATABASE_URL's server when set, else an embedded one.
 */
import { loadavg } from 'node:os';
import { sql } from 'kysely';
import pg from 'pg';
import { AUDIT_STATS_TRIGGER } from '../adapters/postgres/audit-stats-rollup.js';
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

/** Migration 020's trigger. */
const NOTIFY_TRIGGER = 'audit_log_entries_notify_commit';

const MODES = [
  { name: 'both triggers', rollup: true, notify: true },
  { name: 'roll-up only', rollup: true, notify: false },
  { name: 'notice only', rollup: false, notify: true },
  { name: 'neither', rollup: false, notify: false },
] as const;

interface Figures {
  readonly perSecond: number;
  readonly waits: ReadonlyMap<string, number>;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1]!;
}

const database = await createTestDatabase();
const db = openPostgresAuditLogDatabase({
  connectionString: database.url,
  maxConnections: writers + 1,
});
const monitor = new pg.Client({ connectionString: database.url });
try {
  await migrateAuditLogToLatest(db);
  await monitor.connect();
  const repository = new PostgresAuditLogEntryRepository(db);
  const name = new URL(database.url).pathname.slice(1);

  const load = async (): Promise<Figures> => {
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
    const until = performance.now() + seconds * 1000;
    await Promise.all(
      Array.from({ length: writers }, async () => {
        while (performance.now() < until) {
          const occurredAt = new Date().toISOString();
          const entries = Array.from({ length: batch }, () => makeEntry({ occurredAt }));
          const result = await repository.appendMany(entries, { atomic: true });
          if (result.error !== undefined) throw result.error;
          written += batch;
        }
      }),
    );
    done = true;
    await sampling;
    return { perSecond: written / seconds, waits };
  };

  const byMode = new Map<string, Figures[]>(MODES.map((m) => [m.name, []]));
  for (let round = 0; round < rounds; round += 1) {
    for (const mode of MODES) {
      const toggle = (trigger: string, on: boolean) =>
        sql
          .raw(`alter table audit_log_entries ${on ? 'enable' : 'disable'} trigger ${trigger}`)
          .execute(db);
      await toggle(AUDIT_STATS_TRIGGER, mode.rollup);
      await toggle(NOTIFY_TRIGGER, mode.notify);
      byMode.get(mode.name)!.push(await load());
    }
  }
  console.log(
    `${writers} writers, batches of ${batch}, ${rounds} rounds of ${seconds} s, alternating; load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  const reference = median(byMode.get('both triggers')!.map((f) => f.perSecond));
  for (const mode of MODES) {
    const runs = byMode.get(mode.name)!;
    const perSecond = median(runs.map((f) => f.perSecond));
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
      `${mode.name.padEnd(14)} ${perSecond.toFixed(0).padStart(7)} entries/s  ${(perSecond / reference).toFixed(2)}x  waits: ${top}`,
    );
  }
} finally {
  await monitor.end();
  await db.destroy();
  await database.drop();
  await stopSharedEmbeddedTestServer();
}
