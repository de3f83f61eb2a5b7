/**
 * What one entry costs on the chained write path `serve` uses (`HashChainedAuditLog` over
 * `CommitOutcomeResolver` over the PostgreSQL adapter), on a PostgreSQL server and on PGlite,
 * with migration 019's stats roll-up trigger on and off: BENCH_CLIENTS (32) callers append one
 * entry after another until BENCH_ENTRIES (3,000) are committed, rounds alternating on/off
 * after one warm-up round of each. Prints medians over BENCH_ROUNDS (3) of entries/s, CPU µs
 * per entry of this process (for PGlite, the database too) and of the server's backends (from
 * /proc, when the server runs on this machine), statements sent per entry (a counting wrapper
 * around the drivers' `query`) and entries per transaction, with the load average: on a shared
 * machine CPU per entry moves far less with other load than entries/s.
 *
 * Usage: npm run bench:write-path -w libs/governance-runtime
 *   BENCH_STORES (postgres,pglite); POLICY_GATEWAY_TEST_DATABASE_URL's server when set, else
 *   an embedded one.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Kysely, sql } from 'kysely';
import pg from 'pg';
import type { AuditLogDatabase } from '../adapters/postgres/audit-log-database.js';
import { AUDIT_STATS_TRIGGER } from '../adapters/postgres/audit-stats-rollup.js';
import { openPgliteAuditLogDatabase } from '../adapters/postgres/open-pglite-audit-log-database.js';
import { openPostgresAuditLogDatabase } from '../adapters/postgres/open-postgres-audit-log-database.js';
import { PostgresAuditLogEntryRepository } from '../adapters/postgres/postgres-audit-log-entry-repository.js';
import { CommitOutcomeResolver } from '../src/commit-outcome-resolver.js';
import { HashChainedAuditLog } from '../src/hash-chained-audit-log.js';
import { makeEntry } from '../testing/audit-log-entry-fixtures.js';
import { createTestDatabase } from '../testing/create-test-database.js';
import { stopSharedEmbeddedTestServer } from '../testing/embedded-test-server.js';
import { migrateAuditLogToLatest } from '../testing/open-test-pglite.js';

const clients = Number(process.env.BENCH_CLIENTS ?? 32);
const entriesPerRound = Number(process.env.BENCH_ENTRIES ?? 3000);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const stores = (process.env.BENCH_STORES ?? 'postgres,pglite').split(',');

/** Statements sent by either driver, counted by the wrappers below. */
let statements = 0;

interface Figures {
  readonly perSecond: number;
  readonly clientUs: number;
  readonly serverUs: number | undefined;
  readonly statements: number;
  readonly perTransaction: number;
}

interface Store {
  readonly db: Kysely<AuditLogDatabase>;
  /** CPU µs used so far by the server's backends of this database; undefined when unknown. */
  serverCpu(): Promise<number | undefined>;
  close(): Promise<void>;
}

/** utime + stime of a process, in µs (clock ticks of 10 ms); undefined when it cannot be read. */
function cpuOf(pid: number): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10_000;
  } catch {
    return undefined;
  }
}

async function openServer(): Promise<Store> {
  const plain = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    statements += 1;
    return (plain as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof plain;
  const database = await createTestDatabase();
  const db = openPostgresAuditLogDatabase({ connectionString: database.url, maxConnections: 10 });
  await migrateAuditLogToLatest(db);
  const name = new URL(database.url).pathname.slice(1);
  return {
    db,
    async serverCpu() {
      // Every backend of the pool, this one included (the chain writes one batch at a time, so
      // the pool may hold a single connection); this read is not counted as a statement.
      const counted = statements;
      const { rows } = await sql<{ pid: number }>`
        select pid from pg_stat_activity where datname = ${name}`.execute(db);
      statements = counted;
      let total = 0;
      for (const { pid } of rows) {
        const used = cpuOf(pid);
        if (used === undefined) return undefined;
        total += used;
      }
      return total;
    },
    async close() {
      await db.destroy();
      await database.drop();
      pg.Client.prototype.query = plain;
    },
  };
}

async function openEmbedded(): Promise<Store> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-write-path-'));
  const opened = await openPgliteAuditLogDatabase(join(dir, 'data'));
  const { pglite } = opened;
  const query = pglite.query.bind(pglite);
  const exec = pglite.exec.bind(pglite);
  Object.assign(pglite, {
    query: (...args: Parameters<typeof query>) => {
      statements += 1;
      return query(...args);
    },
    exec: (...args: Parameters<typeof exec>) => {
      statements += 1;
      return exec(...args);
    },
  });
  await migrateAuditLogToLatest(opened.db);
  return {
    db: opened.db,
    serverCpu: async () => undefined,
    async close() {
      await opened.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function load(store: Store, rollup: boolean): Promise<Figures> {
  await sql
    .raw(
      `alter table audit_log_entries ${rollup ? 'enable' : 'disable'} trigger ${AUDIT_STATS_TRIGGER}`,
    )
    .execute(store.db);
  let transactions = 0;
  let written = 0;
  const storage = new PostgresAuditLogEntryRepository(store.db);
  const chain = new HashChainedAuditLog(new CommitOutcomeResolver(storage, { settleMs: 0 }), {
    writeObserver: {
      batchWritten: ({ entries, failed }) => {
        if (failed) return;
        transactions += 1;
        written += entries;
      },
    },
  });
  const serverBefore = await store.serverCpu();
  const statementsBefore = statements;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  let left = entriesPerRound;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (left > 0) {
        left -= 1;
        // Now, so that the roll-up's decision-to-commit latency is a real one.
        await chain.append(makeEntry({ occurredAt: new Date().toISOString() }));
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const sent = statements - statementsBefore;
  const serverAfter = await store.serverCpu();
  return {
    perSecond: entriesPerRound / seconds,
    clientUs: (cpu.user + cpu.system) / entriesPerRound,
    serverUs:
      serverBefore === undefined || serverAfter === undefined
        ? undefined
        : (serverAfter - serverBefore) / entriesPerRound,
    statements: sent / entriesPerRound,
    perTransaction: transactions === 0 ? 0 : written / transactions,
  };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function medianOf(figures: readonly Figures[]): Figures {
  const servers = figures.map((f) => f.serverUs);
  return {
    perSecond: median(figures.map((f) => f.perSecond)),
    clientUs: median(figures.map((f) => f.clientUs)),
    serverUs: servers.some((s) => s === undefined) ? undefined : median(servers as number[]),
    statements: median(figures.map((f) => f.statements)),
    perTransaction: median(figures.map((f) => f.perTransaction)),
  };
}

async function main(): Promise<void> {
  const load1 = loadavg().map((l) => l.toFixed(2));
  process.stdout.write(
    `write path: ${clients} callers, ${entriesPerRound} entries a round, ${rounds} rounds; load average ${load1.join(' ')}\n`,
  );
  process.stdout.write(
    '| store    | roll-up | entries/s | µs/entry here | µs/entry server | statements/entry | entries/txn |\n',
  );
  process.stdout.write(
    '|----------|---------|-----------|---------------|-----------------|------------------|-------------|\n',
  );
  for (const name of stores) {
    const store = name === 'pglite' ? await openEmbedded() : await openServer();
    try {
      await load(store, true);
      await load(store, false);
      const on: Figures[] = [];
      const off: Figures[] = [];
      for (let round = 0; round < rounds; round += 1) {
        on.push(await load(store, true));
        off.push(await load(store, false));
      }
      for (const [label, figures] of [
        ['on', medianOf(on)],
        ['off', medianOf(off)],
      ] as const) {
        const server = figures.serverUs === undefined ? '–' : figures.serverUs.toFixed(0);
        process.stdout.write(
          `| ${name.padEnd(8)} | ${label.padEnd(7)} | ${figures.perSecond.toFixed(0).padStart(9)} | ${figures.clientUs.toFixed(0).padStart(13)} | ${server.padStart(15)} | ${figures.statements.toFixed(3).padStart(16)} | ${figures.perTransaction.toFixed(1).padStart(11)} |\n`,
        );
      }
    } finally {
      await store.close();
    }
  }
  process.stdout.write(
    `load average at the end: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}\n`,
  );
  await stopSharedEmbeddedTestServer();
}

await main();
