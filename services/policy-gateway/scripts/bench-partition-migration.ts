/**
 * How long migration 010 (partitioning `audit_log_entries`) blocks writers on a live table:
 * seeds BENCH_ROWS (1,000,000) entries into a table at migration 009 with set-based SQL, then
 * runs `migrate`'s two steps (the online preparation, then the migrations' transaction) while
 * a writer inserts one entry at a time, and prints each step's duration and the longest any
 * insert waited during it. A fresh database on POLICY_GATEWAY_TEST_DATABASE_URL's server (or
 * postgresql://postgres@127.0.0.1:5432/test's), dropped after.
 *
 * Usage: npx tsx services/policy-gateway/scripts/bench-partition-migration.ts
 */
import { loadavg } from 'node:os';
import {
  auditLogMigrations,
  openPostgresAuditLogDatabase,
  prepareOnlineMigrations,
} from '@policy-gateway/governance-runtime/postgres';
import { sql } from 'kysely';
import pg from 'pg';
import { migrateToLatest } from '../src/db/migration-runner.js';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const serverUrl = new URL(
  process.env.POLICY_GATEWAY_TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test',
);
const name = `bench_partition_${process.pid}`;
const url = new URL(serverUrl);
url.pathname = `/${name}`;

async function admin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl.href });
  await client.connect();
  await client.query(statement).finally(() => client.end());
}

await admin(`create database ${name}`);
const db = openPostgresAuditLogDatabase({ connectionString: url.href, maxConnections: 4 });
try {
  const before010 = Object.fromEntries(
    Object.entries(auditLogMigrations).filter(([key]) => key < '010'),
  );
  const base = await migrateToLatest(db, before010);
  if (base.error !== undefined) throw base.error;
  const seeding = performance.now();
  await sql`
    insert into audit_log_entries (id, decision_id, occurred_at, user_id, action, decision, reasons,
      policy_path, policy_version, policy_engine, input, latency_ms, gateway_instance)
    select gen_random_uuid(), 'd' || i, now() - (i || ' seconds')::interval, 'user-' || (i % 10000),
           'policy.evaluate', 'allow', '[]', 'data.p', 'v', 'embedded',
           jsonb_build_object('prompt', 'a prompt of ordinary length, request ' || i), 0.3, 'bench'
      from generate_series(1, ${ROWS}) as i`.execute(db);
  await sql`vacuum analyze audit_log_entries`.execute(db);
  console.log(
    `seeded ${ROWS.toLocaleString('en')} entries in ${((performance.now() - seeding) / 1000).toFixed(0)} s`,
  );

  // The writer: one INSERT at a time, as the gateway's write path does, noting each wait.
  let writing = true;
  let longest = 0;
  let inserts = 0;
  const writer = (async () => {
    while (writing) {
      const began = performance.now();
      await sql`insert into audit_log_entries (id, decision_id, occurred_at, user_id, action, decision,
          reasons, policy_path, policy_version, policy_engine, input, latency_ms, gateway_instance)
        values (gen_random_uuid(), 'w', now(), 'writer', 'policy.evaluate', 'allow', '[]', 'data.p',
          'v', 'embedded', '{}', 0.3, 'bench')`.execute(db);
      longest = Math.max(longest, performance.now() - began);
      inserts += 1;
    }
  })();
  const step = async (label: string, work: () => Promise<unknown>) => {
    longest = 0;
    inserts = 0;
    const began = performance.now();
    await work();
    const took = performance.now() - began;
    console.log(
      `${label.padEnd(44)} ${took.toFixed(0).padStart(7)} ms; ${String(inserts).padStart(6)} inserts meanwhile, longest insert ${longest.toFixed(1)} ms`,
    );
  };
  await new Promise((resolve) => setTimeout(resolve, 500));
  await step('prepare (validate the bound, online)', () => prepareOnlineMigrations(db));
  await step('migration 010 (catalog only) and later ones', async () => {
    const outcome = await migrateToLatest(db);
    if (outcome.error !== undefined) throw outcome.error;
  });
  await new Promise((resolve) => setTimeout(resolve, 500));
  await step(
    'after: inserts into the partitioned table',
    () => new Promise((resolve) => setTimeout(resolve, 1000)),
  );
  writing = false;
  await writer;
  console.log(
    `load average ${loadavg()
      .map((n) => n.toFixed(1))
      .join(' ')}`,
  );
} finally {
  await db.destroy();
  await admin(`drop database ${name}`);
}
