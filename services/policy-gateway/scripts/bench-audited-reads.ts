/**
 * What recording a read of the audit trail costs (issue 10): on a PostgreSQL server and on the
 * embedded PGlite database, side by side in one run, the median and p95 of
 *   read    the page query alone (`repository.query`, 50 entries),
 *   record  the access-log INSERT that records such a page (50 entry ids), and
 *   GET     `GET /governance/audit?limit=50` through the app (read, record, serialise),
 * interleaved, in-process (`app.inject`, no network), after a warm-up, and the record's share
 * of the whole GET.
 *
 * Usage: npx tsx services/policy-gateway/scripts/bench-audited-reads.ts
 *   BENCH_ITERATIONS (300). PostgreSQL: POLICY_GATEWAY_TEST_DATABASE_URL's server (a fresh
 *   database, dropped after), or an embedded one started when unset.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type AccessLogRecord,
  auditTimestampNow,
  newAuditLogEntryId,
} from '@policy-gateway/governance-runtime';
import {
  createTestDatabase,
  stopSharedEmbeddedTestServer,
} from '@policy-gateway/governance-runtime/testing';
import pino from 'pino';
import { buildApp } from '../src/app.js';
import { loadSettings } from '../src/config/settings.js';
import { openDatabase } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migration-runner.js';
import { openAuditStore } from '../src/store/open-audit-store.js';
import { auditEntry } from '../tests/support/audit-entry-fixture.js';
import { TEST_APP_SETTINGS } from '../tests/support/build-test-app.js';
import { ScriptedPolicyEngine } from '../tests/support/scripted-policy-engine.js';

const iterations = Number(process.env.BENCH_ITERATIONS ?? 300);
const silent = pino({ level: 'silent' });

interface Row {
  readonly backend: string;
  readonly read: number[];
  readonly record: number[];
  readonly get: number[];
}

function quantile(samples: readonly number[], q: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

async function measure(backend: string, env: Record<string, string>): Promise<Row> {
  const { store: storeSettings } = loadSettings(env);
  if (storeSettings.backend === 'memory') throw new Error('a database backend was expected');
  const migrating = await openDatabase(storeSettings, { log: silent, forMigrations: true });
  await migrateToLatest(migrating.db);
  await migrating.close();
  const store = await openAuditStore(storeSettings, silent);
  const app = await buildApp({
    settings: TEST_APP_SETTINGS,
    store,
    engine: new ScriptedPolicyEngine(),
  });
  try {
    for (let minute = 0; minute < 500; minute += 1) {
      await store.repository.append(auditEntry(minute));
    }
    const entryIds = Array.from({ length: 50 }, () => newAuditLogEntryId());
    const record = (): AccessLogRecord => ({
      id: newAuditLogEntryId(),
      occurredAt: auditTimestampNow(),
      principalId: 'key:bench',
      method: 'GET',
      route: '/governance/audit',
      parameters: { limit: 50 },
      status: 200,
      entryCount: entryIds.length,
      entryIds,
      requestId: 'bench',
      clientRequestId: null,
      clientAddress: '127.0.0.1',
      userAgent: 'bench',
      gatewayInstance: 'bench',
    });
    const steps = {
      read: () => store.repository.query({ limit: 50, maxBytes: 1_048_576 }),
      record: () => store.accessLog.append(record()),
      get: async () => {
        const response = await app.inject({ url: '/governance/audit?limit=50' });
        if (response.statusCode !== 200) throw new Error(`GET answered ${response.statusCode}`);
      },
    };
    for (let i = 0; i < 30; i += 1) for (const step of Object.values(steps)) await step();
    const row: Row = { backend, read: [], record: [], get: [] };
    for (let i = 0; i < iterations; i += 1) {
      row.read.push(await timed(steps.read));
      row.record.push(await timed(steps.record));
      row.get.push(await timed(steps.get));
    }
    return row;
  } finally {
    await app.close();
  }
}

const rows: Row[] = [];
const database = await createTestDatabase();
const dataDir = mkdtempSync(join(tmpdir(), 'pgw-bench-audited-reads-'));
try {
  rows.push(await measure('postgres', { POLICY_GATEWAY_DATABASE_URL: database.url }));
  rows.push(
    await measure('embedded', {
      POLICY_GATEWAY_AUDIT_STORE_BACKEND: 'embedded',
      POLICY_GATEWAY_DATA_DIR: dataDir,
    }),
  );
} finally {
  await database.drop();
  rmSync(dataDir, { recursive: true, force: true });
  await stopSharedEmbeddedTestServer();
}

const ms = (value: number) => value.toFixed(2).padStart(7);
console.log(`audited reads, ${iterations} iterations each, in-process, ms (p50 / p95)`);
console.log('backend    read (query)       record (INSERT)    GET (all)          record/GET (p50)');
for (const row of rows) {
  const cells = [row.read, row.record, row.get].map(
    (samples) => `${ms(quantile(samples, 0.5))} /${ms(quantile(samples, 0.95))}`,
  );
  const share = (quantile(row.record, 0.5) / quantile(row.get, 0.5)) * 100;
  console.log(`${row.backend.padEnd(10)} ${cells.join('  ')}  ${share.toFixed(0).padStart(5)} %`);
}
