/**
 * Whether group commit's delay (`maxDelayMs`) pays: the chained write path `serve` uses
 * (`HashChainedAuditLog` over `CommitOutcomeResolver` over the PostgreSQL adapter) on PGlite
 * and on a PostgreSQL server, loaded by BENCH_CLIENTS (32) callers that each append one entry
 * after another, for each delay in BENCH_DELAYS (0,1,2,5 ms), rounds alternating. Prints
 * entries committed per second, p50 and p99 of an append, and the mean entries per
 * transaction (from the write observer) and this process's CPU per entry (on PGlite, the
 * database's work too; on a server, only the client's), as medians over BENCH_ROUNDS (3) of
 * BENCH_SECONDS (3) each, and the load average beside them.
 *
 * Usage: npm run bench:group-commit -w libs/governance-runtime
 *   POLICY_GATEWAY_TEST_DATABASE_URL's server when set, else an embedded one.
 */
import { loadavg } from 'node:os';
import { openPostgresAuditLogDatabase } from '../adapters/postgres/open-postgres-audit-log-database.js';
import { PostgresAuditLogEntryRepository } from '../adapters/postgres/postgres-audit-log-entry-repository.js';
import type { AuditLogEntryRepository } from '../src/audit-log-entry-repository.js';
import { CommitOutcomeResolver } from '../src/commit-outcome-resolver.js';
import { HashChainedAuditLog } from '../src/hash-chained-audit-log.js';
import { makeEntry } from '../testing/audit-log-entry-fixtures.js';
import { createTestDatabase } from '../testing/create-test-database.js';
import { stopSharedEmbeddedTestServer } from '../testing/embedded-test-server.js';
import { migrateAuditLogToLatest, openTestPglite } from '../testing/open-test-pglite.js';

const clients = Number(process.env.BENCH_CLIENTS ?? 32);
const seconds = Number(process.env.BENCH_SECONDS ?? 3);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const delays = (process.env.BENCH_DELAYS ?? '0,1,2,5').split(',').map(Number);

interface Figures {
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly perTransaction: number;
  /** This process's CPU per entry: all of PGlite's work, only the client's on a server. */
  readonly cpuPerEntryUs: number;
}

async function load(storage: AuditLogEntryRepository, maxDelayMs: number): Promise<Figures> {
  let transactions = 0;
  let written = 0;
  const chain = new HashChainedAuditLog(new CommitOutcomeResolver(storage, { settleMs: 0 }), {
    maxDelayMs,
    writeObserver: {
      batchWritten: ({ entries, failed }) => {
        if (failed) return;
        transactions += 1;
        written += entries;
      },
    },
  });
  const latencies: number[] = [];
  const cpu = process.cpuUsage();
  const until = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < until) {
        const started = performance.now();
        await chain.append(makeEntry({ occurredAt: new Date().toISOString() }));
        latencies.push(performance.now() - started);
      }
    }),
  );
  const used = process.cpuUsage(cpu);
  latencies.sort((a, b) => a - b);
  return {
    cpuPerEntryUs: (used.user + used.system) / Math.max(latencies.length, 1),
    perSecond: latencies.length / seconds,
    p50: latencies[Math.floor(latencies.length * 0.5)] ?? Number.NaN,
    p99: latencies[Math.floor(latencies.length * 0.99)] ?? Number.NaN,
    perTransaction: written / Math.max(transactions, 1),
  };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1]!;
}

async function compare(name: string, storage: AuditLogEntryRepository): Promise<void> {
  const byDelay = new Map<number, Figures[]>(delays.map((d) => [d, []]));
  for (let round = 0; round < rounds; round += 1) {
    for (const delay of delays) byDelay.get(delay)!.push(await load(storage, delay));
  }
  for (const delay of delays) {
    const runs = byDelay.get(delay)!;
    const pick = (f: (x: Figures) => number) => median(runs.map(f));
    console.log(
      `${name.padEnd(10)} ${String(delay).padStart(8)} ${pick((x) => x.perSecond)
        .toFixed(0)
        .padStart(10)} ${pick((x) => x.p50)
        .toFixed(1)
        .padStart(7)} ${pick((x) => x.p99)
        .toFixed(1)
        .padStart(7)} ${pick((x) => x.perTransaction)
        .toFixed(1)
        .padStart(10)} ${pick((x) => x.cpuPerEntryUs)
        .toFixed(0)
        .padStart(7)}`,
    );
  }
}

console.log(
  `group commit delay: ${clients} callers, ${rounds} rounds of ${seconds} s per delay, alternating; load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
console.log('store      delay ms  entries/s  p50 ms  p99 ms  per commit  CPU us');
const pglite = await openTestPglite();
try {
  await compare('PGlite', new PostgresAuditLogEntryRepository(pglite.db));
} finally {
  await pglite.remove();
}
const database = await createTestDatabase();
const db = openPostgresAuditLogDatabase({ connectionString: database.url, maxConnections: 10 });
try {
  await migrateAuditLogToLatest(db);
  await compare('PostgreSQL', new PostgresAuditLogEntryRepository(db));
} finally {
  await db.destroy();
  await database.drop();
  await stopSharedEmbeddedTestServer();
}
console.log(
  `load average at the end: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
