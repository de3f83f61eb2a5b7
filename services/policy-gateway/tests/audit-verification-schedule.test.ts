/**
 * The gateway verifying its own trail on a schedule (issue 11): on serve's memory store, a
 * first full run, then incremental runs that walk only what was written since, from the
 * checkpoint before it, each counted in the metrics and shown by
 * `GET /governance/audit/integrity`; on a real PostgreSQL database, an entry a superuser
 * altered is caught by the next full run — logged at error level, `1` in
 * `policy_gateway_audit_trail_not_intact` — and every run after a failure is a full one, so
 * that an incremental run never hides it.
 */
import { Writable } from 'node:stream';
import type { AuditIntegrity } from '@policy-gateway/gateway-contract';
import { generateAuditSigningKey } from '@policy-gateway/governance-runtime';
import {
  type AuditLogDatabase,
  openPostgresAuditLogDatabase,
} from '@policy-gateway/governance-runtime/postgres';
import {
  createTestDatabase,
  newSigningKeyPair,
  SignedChainFixture,
  type TestDatabase,
} from '@policy-gateway/governance-runtime/testing';
import type { FastifyInstance } from 'fastify';
import { type Kysely, sql } from 'kysely';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { AuditIntegrityMonitor } from '../src/audit/audit-integrity-monitor.js';
import { localIntegrity } from '../src/audit/audit-integrity-view.js';
import { AuditVerificationSchedule } from '../src/audit/audit-verification-schedule.js';
import { loadSettings } from '../src/config/settings.js';
import { openDatabase } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migration-runner.js';
import { GatewayMetrics } from '../src/metrics/gateway-metrics.js';
import type { AuditStore } from '../src/store/audit-store.js';
import { openAuditStore } from '../src/store/open-audit-store.js';
import { auditEntry } from './support/audit-entry-fixture.js';
import { TEST_APP_SETTINGS } from './support/build-test-app.js';
import { ScriptedPolicyEngine } from './support/scripted-policy-engine.js';

const silent = pino({ level: 'silent' });
const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** A logger whose lines (parsed) are kept. */
function capturingLog(): { log: pino.Logger; lines: { level: number; msg: string }[] } {
  const lines: { level: number; msg: string }[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  return { log: pino({ level: 'info' }, stream), lines };
}

async function integrityOf(app: FastifyInstance): Promise<AuditIntegrity> {
  return (await app.inject({ url: '/governance/audit/integrity' })).json<AuditIntegrity>();
}

/** Reads the integrity report until `done` holds of it (the schedule runs on its own). */
async function until(
  app: FastifyInstance,
  done: (report: AuditIntegrity) => boolean,
): Promise<AuditIntegrity> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const report = await integrityOf(app);
    if (done(report)) return report;
    if (Date.now() > deadline) throw new Error(`not reached: ${JSON.stringify(report)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Serve's memory store with its chain, checkpoints every 5 entries. */
async function memoryStore(): Promise<AuditStore> {
  const settings = loadSettings({ POLICY_GATEWAY_AUDIT_STORE_BACKEND: 'memory' });
  const store = await openAuditStore(settings.store, silent, {
    signingKey: {
      key: generateAuditSigningKey().key,
      source: 'generated',
      path: 'audit-signing-key.pem',
      generatedNow: false,
    },
    instance: 'test',
    checkpointEveryEntries: 5,
    checkpointIntervalMs: 0,
  });
  closers.push(() => store.close());
  return store;
}

describe('scheduled verification on the memory store', () => {
  it('runs a full verification, then incremental ones from the checkpoint before the new entries', async () => {
    const store = await memoryStore();
    const hourAgo = Date.now() - 3_600_000;
    for (let i = 0; i < 12; i += 1) {
      await store.repository.append(
        auditEntry(i, { occurredAt: new Date(hourAgo + i * 1000).toISOString() }),
      );
    }
    const metrics = new GatewayMetrics(1);
    const monitor = new AuditIntegrityMonitor(store.trail, {
      observer: metrics.verificationObserver,
    });
    const schedule = new AuditVerificationSchedule(monitor, {
      intervalMs: 100,
      fullIntervalMs: 3_600_000,
    });
    const app = await buildApp({
      settings: TEST_APP_SETTINGS,
      store,
      engine: new ScriptedPolicyEngine(),
      integrity: localIntegrity(monitor, schedule),
    });
    closers.push(() => app.close());

    const first = await until(app, (report) => report.last !== null);
    expect(first.available).toBe(true);
    expect(first.last).toMatchObject({ scope: 'full', since: null, intact: true });
    expect(first.last?.entries_checked).toBe(12);
    expect(first.schedule).toMatchObject({ interval_seconds: 1, full_interval_seconds: 3600 });

    for (let i = 12; i < 15; i += 1) {
      await store.repository.append(auditEntry(i, { occurredAt: new Date().toISOString() }));
    }
    const incremental = await until(
      app,
      (report) => report.last?.scope === 'incremental' && report.last.entries_checked > 0,
    );
    expect(incremental.last?.intact).toBe(true);
    expect(incremental.last?.since).not.toBeNull();
    // Seqs 11–15: from the checkpoint at seq 10 on, not the whole chain again.
    expect(incremental.last?.entries_checked).toBe(5);
    expect(incremental.schedule?.next_scope).toBe('incremental');

    const exposition = await metrics.registry.metrics();
    expect(exposition).toMatch(
      /policy_gateway_audit_verifications_total\{scope="full",outcome="intact",worker="1"\} 1\n/,
    );
    expect(exposition).toMatch(
      /policy_gateway_audit_verifications_total\{scope="incremental",outcome="intact",worker="1"\} [1-9]/,
    );
    expect(exposition).toMatch(/policy_gateway_audit_trail_not_intact\{worker="1"\} 0\n/);
  }, 60_000);

  it('runs nothing and says so when the interval is 0', async () => {
    const store = await memoryStore();
    const monitor = new AuditIntegrityMonitor(store.trail);
    const app = await buildApp({
      settings: TEST_APP_SETTINGS,
      store,
      engine: new ScriptedPolicyEngine(),
      integrity: localIntegrity(
        monitor,
        new AuditVerificationSchedule(monitor, { intervalMs: 0, fullIntervalMs: 1000 }),
      ),
    });
    closers.push(() => app.close());
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await integrityOf(app)).toMatchObject({ available: true, last: null, schedule: null });
  });
});

describe('scheduled verification on PostgreSQL', () => {
  let database: TestDatabase | undefined;
  let db: Kysely<AuditLogDatabase> | undefined;
  afterEach(async () => {
    await db?.destroy();
    await database?.drop();
  });

  it('catches an altered entry in the next full run, logs it at error level and keeps every later run full', async () => {
    database = await createTestDatabase();
    const settings = loadSettings({
      POLICY_GATEWAY_AUDIT_STORE_BACKEND: 'postgres',
      POLICY_GATEWAY_DATABASE_URL: database.url,
    });
    if (settings.store.backend === 'memory') throw new Error('a database backend was expected');
    const migrator = await openDatabase(settings.store, { log: silent, forMigrations: true });
    await migrateToLatest(migrator.db);
    await migrator.close();
    db = openPostgresAuditLogDatabase({ connectionString: database.url, maxConnections: 2 });
    const chain = new SignedChainFixture(db, newSigningKeyPair());
    await chain.registerKey();
    await chain.append(20);
    await chain.checkpoint();
    const store = await openAuditStore(settings.store, silent);
    closers.push(() => store.close());
    const { log, lines } = capturingLog();
    const metrics = new GatewayMetrics(1);
    const monitor = new AuditIntegrityMonitor(store.trail, {
      log,
      observer: metrics.verificationObserver,
    });
    const fullIntervalMs = 3_600_000;
    // Driven by hand (no timer): run(now) is what each tick does.
    const schedule = new AuditVerificationSchedule(monitor, { intervalMs: 0, fullIntervalMs });
    const app = await buildApp({
      settings: TEST_APP_SETTINGS,
      store,
      engine: new ScriptedPolicyEngine(),
      integrity: localIntegrity(monitor, schedule),
    });
    closers.push(() => app.close());
    const runAt = async (now: number) => {
      schedule.run(now);
      await monitor.settled();
      return integrityOf(app);
    };

    expect((await runAt(Date.now())).last).toMatchObject({ scope: 'full', intact: true });
    const altered = chain.entries[3]!.id;
    await db.transaction().execute(async (trx) => {
      await sql`set local session_replication_role = replica`.execute(trx);
      await sql`update audit_log_entries set user_id = 'someone-else' where id = ${altered}::uuid`.execute(
        trx,
      );
    });
    // What an incremental run covers is what was written since: the old entry is not in it.
    expect((await runAt(Date.now())).last).toMatchObject({ scope: 'incremental', intact: true });

    const full = await runAt(Date.now() + fullIntervalMs);
    expect(full.last).toMatchObject({ scope: 'full', intact: false });
    expect(full.last?.failed_entry_ids).toContain(altered);
    const error = lines.find((line) => line.level === 50);
    expect(error?.msg).toMatch(/^audit trail verification \(full\) found tampering: altered: /);
    expect(await metrics.registry.metrics()).toMatch(
      /policy_gateway_audit_trail_not_intact\{worker="1"\} 1\n/,
    );

    // The next scheduled run is full again, and says the same.
    expect(schedule.nextRun()).toEqual({});
    expect((await runAt(Date.now() + fullIntervalMs)).last).toMatchObject({
      scope: 'full',
      intact: false,
    });
  }, 120_000);
});
