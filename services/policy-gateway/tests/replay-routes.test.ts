/**
 * Replays (impact analysis, issue 17) through the routes, on the memory store and on a real
 * PostgreSQL: a candidate that tightens one rule lists exactly the recorded decisions it
 * changes, by transition; a masked entry is replayed on what is stored and marked; the trail is
 * left as it was (same entries, chain still verifies); limits and bad bundles are problems.
 */
import type { Replay, ReplayChangesPage } from '@policy-gateway/gateway-contract';
import {
  type AuditLogEntry,
  type AuditLogEntryRepository,
  type AuditReason,
  verifyAuditTrail,
} from '@policy-gateway/governance-runtime';
import {
  openPostgresAuditLogDatabase,
  PostgresAuditLogEntryRepository,
  PostgresAuditTrailReader,
} from '@policy-gateway/governance-runtime/postgres';
import {
  createTestDatabase,
  newSigningKeyPair,
  SignedChainFixture,
  type TestDatabase,
} from '@policy-gateway/governance-runtime/testing';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { loadSettings } from '../src/config/settings.js';
import { openDatabase } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migration-runner.js';
import type { AuditStore } from '../src/store/audit-store.js';
import { createMemoryStore } from '../src/store/memory-store.js';
import { openAuditStore } from '../src/store/open-audit-store.js';
import { auditEntry } from './support/audit-entry-fixture.js';
import { buildTestApp, type TestApp } from './support/build-test-app.js';
import { bundleTarball } from './support/bundle-server.js';
import { TIGHTENED_POLICY } from './support/tightened-policy.js';

const FORBIDDEN_REASON = {
  code: 'candidate.forbidden',
  message: 'the candidate forbids this word',
  severity: 'high' as const,
};

/**
 * What was recorded (`kind` says what the candidate must make of it), one entry per minute.
 * Everything the candidate decides as recorded is not listed among the changes.
 */
function recordedEntries(make: (minute: number, o: Partial<AuditLogEntry>) => AuditLogEntry) {
  const allowed = (minute: number, prompt: string, o: Partial<AuditLogEntry> = {}) =>
    make(minute, { input: { prompt, user_id: 'alice', context: {} }, ...o });
  const denied = (minute: number, prompt: string, reasons: AuditReason[] = [FORBIDDEN_REASON]) =>
    allowed(minute, prompt, { decision: 'deny', reasons, result: { allow: false, reasons } });
  return {
    unchanged: [
      allowed(1, 'hello'),
      allowed(2, 'what is the weather'),
      denied(3, 'a forbidden word, denied already'),
    ],
    allowToDeny: [allowed(4, 'the forbidden plan'), allowed(5, 'more forbidden things')],
    denyToAllow: [denied(6, 'an innocent prompt denied before')],
    reasonsChanged: [
      denied(7, 'forbidden, denied for another reason', [
        { code: 'secret.aws_access_key', message: 'an AWS key', severity: 'critical' },
      ]),
    ],
    masked: [
      allowed(8, 'forbidden: write to [pii.email]', {
        masking: { erased: [], masked: [], redacted: [{ code: 'pii.email', count: 1 }] },
      }),
    ],
    /** A Data API query: not a prompt decision, not replayed. */
    skipped: [allowed(9, 'forbidden over the Data API', { action: 'opa.data' })],
  };
}

async function waitForReplay(app: TestApp['app'], id: string): Promise<Replay> {
  for (let attempt = 0; attempt < 600; attempt++) {
    const replay = (await app.inject({ url: `/governance/replays/${id}` })).json() as Replay;
    if (replay.status !== 'running') return replay;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`replay ${id} did not finish`);
}

async function startReplay(app: TestApp['app'], body: object) {
  return app.inject({ method: 'POST', url: '/governance/replays', payload: body });
}

async function allEntries(repository: AuditLogEntryRepository): Promise<AuditLogEntry[]> {
  const entries: AuditLogEntry[] = [];
  let cursor: string | undefined;
  do {
    const page = await repository.query({ limit: 1000, ...(cursor && { cursor }) });
    entries.push(...page.entries);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return entries;
}

/** The scenario both stores run: what the replay lists, and that the trail is untouched. */
async function replaysTheTightenedRule(
  current: TestApp,
  recorded: ReturnType<typeof recordedEntries>,
): Promise<void> {
  const before = await allEntries(current.store.repository);
  const bundle = (await bundleTarball({ 'candidate.rego': TIGHTENED_POLICY })).toString('base64');
  const started = await startReplay(current.app, { bundle });
  expect(started.statusCode, started.body).toBe(202);
  const replay = await waitForReplay(current.app, started.json<Replay>().id);
  expect(replay).toMatchObject({
    status: 'completed',
    requested_by: 'anonymous',
    candidate: { source: 'upload' },
    progress: { read: before.length },
    summary: {
      evaluated: before.length - 1,
      changed: 5,
      unchanged: 3,
      skipped: 1,
      masked: 1,
      by_transition: { allow_to_deny: 3, deny_to_allow: 1, reasons_changed: 1, error: 0 },
    },
    error: null,
  });
  const page = (
    await current.app.inject({ url: `/governance/replays/${replay.id}/changes?limit=500` })
  ).json<ReplayChangesPage>();
  const byId = new Map(page.changes.map((change) => [change.audit_id, change]));
  const expected = new Map<string, string>([
    ...recorded.allowToDeny.map((e) => [e.id, 'allow_to_deny'] as const),
    ...recorded.masked.map((e) => [e.id, 'allow_to_deny'] as const),
    ...recorded.denyToAllow.map((e) => [e.id, 'deny_to_allow'] as const),
    ...recorded.reasonsChanged.map((e) => [e.id, 'reasons_changed'] as const),
  ]);
  expect(new Map([...byId].map(([id, change]) => [id, change.transition]))).toEqual(expected);
  const [masked] = recorded.masked;
  expect(byId.get(masked?.id ?? '')).toMatchObject({
    masked: true,
    original: { decision: 'allow', reasons: [] },
    candidate: { decision: 'deny', reasons: [FORBIDDEN_REASON] },
  });
  expect(page.changes.filter((change) => change.masked)).toHaveLength(1);
  expect(page.next_cursor).toBeNull();
  // Paged, and by one transition.
  const first = (
    await current.app.inject({ url: `/governance/replays/${replay.id}/changes?limit=2` })
  ).json<ReplayChangesPage>();
  expect(first.changes).toHaveLength(2);
  const rest = (
    await current.app.inject({
      url: `/governance/replays/${replay.id}/changes?limit=10&cursor=${first.next_cursor}`,
    })
  ).json<ReplayChangesPage>();
  expect([...first.changes, ...rest.changes]).toEqual(page.changes);
  const flipped = (
    await current.app.inject({
      url: `/governance/replays/${replay.id}/changes?transition=deny_to_allow`,
    })
  ).json<ReplayChangesPage>();
  expect(flipped.changes.map((change) => change.audit_id)).toEqual(
    recorded.denyToAllow.map((e) => e.id),
  );
  // The trail holds what it held, as it held it.
  expect(await allEntries(current.store.repository)).toEqual(before);
  // The start and the reads of results are in the access log, by whom.
  const reads = await current.store.accessLog.query({ limit: 100 });
  const routes = reads.records.map((record) => `${record.method} ${record.route}`);
  expect(routes).toContain('POST /governance/replays');
  expect(routes).toContain('GET /governance/replays/:id/changes');
  const changesRead = reads.records.find(
    (record) => record.route === '/governance/replays/:id/changes' && record.entryIds.length === 5,
  );
  expect(new Set(changesRead?.entryIds)).toEqual(new Set(expected.keys()));
}

let current: TestApp | undefined;
afterEach(async () => {
  await current?.app.close();
  current = undefined;
});

describe('replays on the memory store', () => {
  it('lists exactly the recorded decisions a candidate that tightens one rule changes, masked ones marked, and leaves the trail as it was', async () => {
    current = await buildTestApp({ store: createMemoryStore(100) });
    const recorded = recordedEntries(auditEntry);
    const { results } = await current.store.repository.appendMany(Object.values(recorded).flat());
    expect(results.every((result) => result.status === 'committed')).toBe(true);
    await replaysTheTightenedRule(current, recorded);
  });

  it('replays under the active bundle, which decides the shipped way', async () => {
    current = await buildTestApp({ store: createMemoryStore(100) });
    await current.store.repository.appendMany([
      auditEntry(1, { input: { prompt: 'deploy with key AKIAIOSFODNN7EXAMPLE', user_id: 'a' } }),
      auditEntry(2),
    ]);
    const started = await startReplay(current.app, { known_bundle: 'active' });
    expect(started.statusCode, started.body).toBe(202);
    const replay = await waitForReplay(current.app, started.json<Replay>().id);
    expect(replay.candidate.source).toBe('active');
    expect(replay.summary).toMatchObject({ evaluated: 2, changed: 1, unchanged: 1 });
    expect(replay.summary.by_transition.allow_to_deny).toBe(1);
  });

  it('keeps to the range and to max_entries, newest first, and says it was truncated', async () => {
    current = await buildTestApp({ store: createMemoryStore(100) });
    await current.store.repository.appendMany(
      Array.from({ length: 10 }, (_, minute) =>
        auditEntry(minute, { input: { prompt: `forbidden ${minute}`, user_id: 'a' } }),
      ),
    );
    const bundle = (await bundleTarball({ 'c.rego': TIGHTENED_POLICY })).toString('base64');
    const ranged = await startReplay(current.app, {
      bundle,
      filters: { since: '2026-11-28T07:02:00Z', until: '2026-11-28T07:05:00Z' },
    });
    expect((await waitForReplay(current.app, ranged.json<Replay>().id)).summary.changed).toBe(3);
    const capped = await startReplay(current.app, { bundle, max_entries: 4 });
    const replay = await waitForReplay(current.app, capped.json<Replay>().id);
    expect(replay).toMatchObject({ status: 'truncated', progress: { read: 4 } });
    expect(replay.progress.position).toBe('2026-11-28T07:06:00.000000Z');
  });

  it('refuses a bundle that does not compile, is not an archive, is too large or unknown, with problem+json', async () => {
    current = await buildTestApp({ store: createMemoryStore(100) });
    const broken = await startReplay(current.app, {
      bundle: (await bundleTarball({ 'bad.rego': 'package x\n\nallow if {' })).toString('base64'),
    });
    expect(broken.statusCode).toBe(422);
    expect(broken.headers['content-type']).toContain('application/problem+json');
    expect(broken.json()).toMatchObject({ code: 'INVALID_BUNDLE', field: 'bundle' });
    expect(broken.json().detail).toContain('bad.rego:');
    expect(broken.json().detail).not.toContain('policy-gateway-replay-');
    const notArchive = await startReplay(current.app, {
      bundle: Buffer.from('not a tarball').toString('base64'),
    });
    expect(notArchive.json()).toMatchObject({ status: 422, code: 'INVALID_BUNDLE' });
    const tooLarge = await startReplay(current.app, {
      bundle: Buffer.alloc(8 * 1024 * 1024 + 4096).toString('base64'),
    });
    expect(tooLarge.json()).toMatchObject({ status: 413, code: 'BUNDLE_TOO_LARGE' });
    const farTooLarge = await startReplay(current.app, {
      bundle: Buffer.alloc(12 * 1024 * 1024).toString('base64'),
    });
    expect(farTooLarge.json()).toMatchObject({ status: 413, code: 'BODY_TOO_LARGE' });
    const noShadow = await startReplay(current.app, { known_bundle: 'shadow' });
    expect(noShadow.json()).toMatchObject({
      status: 422,
      code: 'INVALID_BUNDLE',
      field: 'known_bundle',
    });
    const both = await startReplay(current.app, { known_bundle: 'active', bundle: 'AAAA' });
    expect(both.json()).toMatchObject({ status: 400, code: 'INVALID_FIELD' });
    const unknown = await current.app.inject({
      url: '/governance/replays/0190d9a4-0000-7000-8000-000000000000',
    });
    expect(unknown.json()).toMatchObject({ status: 404, code: 'NOT_FOUND' });
  });

  it('refuses a replay beyond those that may run at once with 429 and Retry-After', async () => {
    current = await buildTestApp({ store: createMemoryStore(100) });
    await current.store.repository.appendMany(
      Array.from({ length: 60 }, (_, minute) => auditEntry(minute)),
    );
    const { app } = current;
    const starts = await Promise.all(
      [1, 2, 3].map(() => startReplay(app, { known_bundle: 'active' })),
    );
    const statuses = starts.map((start) => start.statusCode).sort();
    expect(statuses).toEqual([202, 202, 429]);
    const refused = starts.find((start) => start.statusCode === 429);
    expect(refused?.json()).toMatchObject({ code: 'TOO_MANY_REPLAYS' });
    expect(refused?.headers['retry-after']).toBe('30');
  });
});

describe('replays on PostgreSQL', () => {
  let database: TestDatabase | undefined;
  let store: AuditStore | undefined;
  afterEach(async () => {
    await current?.app.close();
    current = undefined;
    await store?.close();
    await database?.drop();
  });

  it('lists the changed decisions, keeps the replay in its own tables and leaves the chained trail intact', async () => {
    database = await createTestDatabase();
    const settings = loadSettings({
      POLICY_GATEWAY_AUDIT_STORE_BACKEND: 'postgres',
      POLICY_GATEWAY_DATABASE_URL: database.url,
    });
    if (settings.store.backend === 'memory') throw new Error('a database backend was expected');
    const silent = pino({ level: 'silent' });
    const migrator = await openDatabase(settings.store, { log: silent, forMigrations: true });
    await migrateToLatest(migrator.db);
    await migrator.close();
    const db = openPostgresAuditLogDatabase({ connectionString: database.url, maxConnections: 2 });
    try {
      const key = newSigningKeyPair();
      const chain = new SignedChainFixture(db, key);
      await chain.registerKey();
      const recorded = recordedEntries((minute, overrides) =>
        chain.chain(auditEntry(minute, overrides)),
      );
      const written = await new PostgresAuditLogEntryRepository(db).appendMany(
        Object.values(recorded).flat(),
      );
      expect(written.results.every((result) => result.status === 'committed')).toBe(true);
      await chain.checkpoint();
      const reader = new PostgresAuditTrailReader(db);
      expect((await verifyAuditTrail(reader)).intact).toBe(true);

      store = await openAuditStore(settings.store, silent);
      current = await buildTestApp({ store });
      await replaysTheTightenedRule(current, recorded);

      const verified = await verifyAuditTrail(reader);
      expect(verified.intact).toBe(true);
      expect(verified.entriesChecked).toBe(9);
      const runs = await db
        .withTables<{ replay_runs: { requested_by: string } }>()
        .selectFrom('replay_runs')
        .select('requested_by')
        .execute();
      expect(runs).toEqual([{ requested_by: 'anonymous' }]);
    } finally {
      await db.destroy();
    }
  });
});
