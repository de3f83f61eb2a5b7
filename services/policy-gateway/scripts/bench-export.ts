/**
 * bench:export (issue 17): how fast `GET /governance/audit/export` streams the trail, and that
 * the gateway's memory stays flat whatever the export's size. A database is created on
 * POLICY_GATEWAY_TEST_DATABASE_URL's server, migrated and seeded (`seed-audit-entries.ts`) with
 * the largest size over 30 days (a smaller size is the export of the newest days that hold it,
 * `since`); for each size a real `policy-gateway serve`
 * (one process, PostgreSQL store) is started and the whole trail exported in each format by a
 * client that reads as fast as it can. Printed per run: entries and bytes received, entries/s,
 * and the gateway's resident memory before the export, at its peak during it (sampled every
 * 50 ms from /proc) and its high-water mark (VmHWM). The database is dropped at the end.
 *
 * Usage: npm run bench:export -w services/policy-gateway
 *   BENCH_EXPORT_SIZES (100000,1000000), BENCH_EXPORT_FORMATS (ndjson,csv), BENCH_EXPORT_LARGE_FORMATS
 *   (the formats of the largest size; all of BENCH_EXPORT_FORMATS when unset)
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { openPostgresAuditLogDatabase } from '@policy-gateway/governance-runtime/postgres';
import { sql } from 'kysely';
import pg from 'pg';
import pino from 'pino';
import { loadSettings } from '../src/config/settings.js';
import { openDatabase } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migration-runner.js';
import { startGateway } from '../tests/support/gateway-process.js';
import { seedAuditEntries } from './seed-audit-entries.js';

const SIZES = (process.env.BENCH_EXPORT_SIZES ?? '100000,1000000').split(',').map(Number);
const FORMATS = (process.env.BENCH_EXPORT_FORMATS ?? 'ndjson,csv').split(',');
const serverUrl = new URL(
  process.env.POLICY_GATEWAY_TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test',
);
const databaseName = `bench_export_${process.pid}`;
const databaseUrl = new URL(serverUrl);
databaseUrl.pathname = `/${databaseName}`;
const silent = pino({ level: 'silent' });

async function admin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl.href });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** A field of /proc/<pid>/status in bytes (`VmRSS`, `VmHWM`). */
function memoryOf(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(
    readFileSync(`/proc/${pid}/status`, 'utf8'),
  );
  return Number(match?.[1] ?? Number.NaN) * 1024;
}

const mib = (bytes: number) => `${(bytes / 1_048_576).toFixed(0)} MiB`;
const load = () =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');

/** Exports the whole trail in `format`, reading as fast as possible; samples the gateway's RSS. */
async function exportOnce(url: string, pid: number, format: string, filter: string) {
  const before = memoryOf(pid, 'VmRSS');
  let peak = before;
  const sampler = setInterval(() => {
    peak = Math.max(peak, memoryOf(pid, 'VmRSS'));
  }, 50);
  const began = performance.now();
  const response = await fetch(`${url}/governance/audit/export?format=${format}${filter}`);
  if (!response.ok || response.body === null) {
    throw new Error(`export answered ${response.status}: ${await response.text()}`);
  }
  let bytes = 0;
  let lines = 0;
  for await (const chunk of response.body) {
    bytes += chunk.byteLength;
    for (const byte of chunk) if (byte === 10) lines += 1;
  }
  const seconds = (performance.now() - began) / 1000;
  clearInterval(sampler);
  // NDJSON: one line per entry, one per checkpoint (the gateway seals the seeded chains when it
  // starts: a few) and the end record; CSV: the header and one line per entry.
  const entries = lines - 1;
  return { bytes, entries, seconds, before, peak, highWater: memoryOf(pid, 'VmHWM') };
}

await admin(`create database ${databaseName}`);
try {
  const settings = loadSettings({
    POLICY_GATEWAY_AUDIT_STORE_BACKEND: 'postgres',
    POLICY_GATEWAY_DATABASE_URL: databaseUrl.href,
  });
  if (settings.store.backend === 'memory') throw new Error('a database backend was expected');
  const migrator = await openDatabase(settings.store, { log: silent, forMigrations: true });
  await migrateToLatest(migrator.db);
  await migrator.close();
  const db = openPostgresAuditLogDatabase({
    connectionString: databaseUrl.href,
    maxConnections: 2,
  });
  // The largest size spans 30 days; a smaller one is the export of its newest days (`since`).
  const largest = Math.max(...SIZES);
  const end = new Date();
  const msPerEntry = (30 * 86_400_000) / largest;
  console.log(`seeding ${largest.toLocaleString('en')} entries (load ${load()})`);
  await seedAuditEntries(db, {
    rows: largest,
    start: new Date(end.getTime() - msPerEntry * largest),
    end,
    log: () => undefined,
  });
  await sql`analyze audit_log_entries`.execute(db);
  for (const size of SIZES) {
    const since = new Date(end.getTime() - msPerEntry * size).toISOString();
    const filter = size === largest ? '' : `&since=${since}`;
    const gateway = await startGateway({
      POLICY_GATEWAY_AUDIT_STORE_BACKEND: 'postgres',
      POLICY_GATEWAY_DATABASE_URL: databaseUrl.href,
    });
    try {
      const pid = gateway.child.pid!;
      const formats =
        size === Math.max(...SIZES) && process.env.BENCH_EXPORT_LARGE_FORMATS !== undefined
          ? process.env.BENCH_EXPORT_LARGE_FORMATS.split(',')
          : FORMATS;
      for (const format of formats) {
        const run = await exportOnce(gateway.url, pid, format, filter);
        console.log(
          `${size.toLocaleString('en')} entries, ${format}: ${run.entries.toLocaleString('en')} exported, ${mib(run.bytes)} in ${run.seconds.toFixed(1)} s = ${Math.round(run.entries / run.seconds).toLocaleString('en')} entries/s; gateway RSS ${mib(run.before)} before, ${mib(run.peak)} at peak (VmHWM ${mib(run.highWater)}); load ${load()}`,
        );
      }
    } finally {
      await gateway.kill('SIGTERM');
    }
  }
  await db.destroy();
} finally {
  await admin(`drop database if exists ${databaseName} with (force)`);
}
