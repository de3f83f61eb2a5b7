/**
 * `GET /governance/audit/stats` on each store serve opens — memory, a PostgreSQL server and the
 * embedded PGlite database: after seeded random entries written by concurrent batches, its
 * answer equals what a scan of those entries gives (counts per bucket by outcome, reasons once
 * per entry with their trend, users by denials, versions by first decision, evaluation latency
 * percentiles of the merged histograms); each answer is recorded in the access log; bad queries
 * are 400 problems naming the parameter.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type AuditDecision,
  type AuditLogEntry,
  LatencyHistogram,
  latencyBin,
} from '@policy-gateway/governance-runtime';
import { createTestDatabase, type TestDatabase } from '@policy-gateway/governance-runtime/testing';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSettings } from '../src/config/settings.js';
import { openDatabase } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migration-runner.js';
import type { AuditStore } from '../src/store/audit-store.js';
import { createMemoryStore } from '../src/store/memory-store.js';
import { openAuditStore } from '../src/store/open-audit-store.js';
import { auditEntry } from './support/audit-entry-fixture.js';
import { buildTestApp, type TestApp } from './support/build-test-app.js';

const silent = pino({ level: 'silent' });
const HOUR = 3_600_000;
/** The fixture's first minute: 2026-11-28T07:00:00Z. */
const START = Date.UTC(2026, 10, 28, 7, 0, 0);

/** A small deterministic generator (mulberry32), so a failure replays with its seed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Entries over 30 hours: three outcomes, four reasons, eight users, two policy versions. */
function seededEntries(seed: number, count: number): AuditLogEntry[] {
  const next = random(seed);
  const codes = ['secret.aws_key', 'pii.email', 'pii.phone', 'jailbreak'];
  return Array.from({ length: count }, (_, i) => {
    const minute = Math.floor(next() * 30 * 60);
    const decision = (['allow', 'allow', 'deny', 'error'] as const)[Math.floor(next() * 4)]!;
    const reasonCodes =
      decision === 'deny' ? [codes[Math.floor(next() * 4)]!, codes[Math.floor(next() * 4)]!] : [];
    return auditEntry(minute, {
      decisionId: `decision-${i}`,
      decision,
      reasons: reasonCodes.map((code) => ({ code, message: code, severity: 'high' as const })),
      userId: `user-${Math.floor(next() * 8)}`,
      policyVersion: minute < 600 ? 'sha256:v1' : 'sha256:v2',
      latencyMs: 0.05 + next() ** 2 * 50,
      // A tenth uploaded by two OPA servers (their decision logs).
      ...(i % 10 === 0 ? { action: 'opa.decision_log', gatewayInstance: `opa-${i % 20}` } : {}),
    });
  });
}

/** What a scan of `entries` says for `[since, until)` by hour: the answer expected. */
function scan(entries: readonly AuditLogEntry[], since: number, until: number, top: number) {
  const inRange = entries.filter((e) => {
    const at = Date.parse(e.occurredAt);
    return at >= since && at < until;
  });
  const starts = Array.from({ length: (until - since) / HOUR }, (_, i) => since + i * HOUR);
  const slot = (e: AuditLogEntry) => Math.floor((Date.parse(e.occurredAt) - since) / HOUR);
  const buckets = starts.map((start) => ({
    start: new Date(start).toISOString(),
    allow: 0,
    deny: 0,
    error: 0,
  }));
  const histogram = new LatencyHistogram();
  const reasons = new Map<string, number[]>();
  const denials = new Map<string, number>();
  for (const e of inRange) {
    buckets[slot(e)]![e.decision as AuditDecision] += 1;
    histogram.add(latencyBin(e.latencyMs));
    for (const code of new Set(e.reasons.map((r) => r.code))) {
      const trend = reasons.get(code) ?? starts.map(() => 0);
      trend[slot(e)]! += 1;
      reasons.set(code, trend);
    }
    if (e.decision === 'deny') denials.set(e.userId, (denials.get(e.userId) ?? 0) + 1);
  }
  const byCount = <T extends { n: number; key: string }>(a: T, b: T) =>
    b.n - a.n || (a.key < b.key ? -1 : 1);
  const sources = new Map<
    string,
    { action: string; source: string; entries: number; last_seen: string }
  >();
  for (const e of inRange) {
    const key = `${e.action} ${e.gatewayInstance}`;
    const source = sources.get(key) ?? {
      action: e.action,
      source: e.gatewayInstance,
      entries: 0,
      last_seen: '',
    };
    source.entries += 1;
    if (e.occurredAt > source.last_seen) source.last_seen = e.occurredAt;
    sources.set(key, source);
  }
  return {
    buckets,
    sources: [...sources.values()].sort((a, b) =>
      `${a.action} ${a.source}` < `${b.action} ${b.source}` ? -1 : 1,
    ),
    evaluation_ms: { p50: histogram.quantile(0.5), p99: histogram.quantile(0.99) },
    top_reasons: [...reasons]
      .map(([key, trend]) => ({ key, n: trend.reduce((a, b) => a + b, 0), trend }))
      .sort(byCount)
      .slice(0, top)
      .map(({ key, n, trend }) => ({ code: key, entries: n, trend })),
    top_users_by_denials: [...denials]
      .map(([key, n]) => ({ key, n }))
      .sort(byCount)
      .slice(0, top)
      .map(({ key, n }) => ({ user_id: key, denials: n })),
    policy_versions: ['sha256:v1', 'sha256:v2']
      .filter((v) => inRange.some((e) => e.policyVersion === v))
      .map((v) => ({
        policy_version: v,
        first_seen: entries
          .filter((e) => e.policyVersion === v)
          .map((e) => e.occurredAt)
          .sort()[0],
      })),
  };
}

interface Backend {
  readonly name: string;
  open(): Promise<{ store: AuditStore; dispose(): Promise<void> }>;
}

const backends: readonly Backend[] = [
  {
    name: 'the memory store',
    async open() {
      return { store: createMemoryStore(5000), dispose: async () => undefined };
    },
  },
  {
    name: 'a PostgreSQL server',
    async open() {
      const database: TestDatabase = await createTestDatabase();
      const env = { POLICY_GATEWAY_DATABASE_URL: database.url };
      return { store: await migratedStore(env), dispose: () => database.drop() };
    },
  },
  {
    name: 'the embedded database (PGlite)',
    async open() {
      const dir = mkdtempSync(join(tmpdir(), 'pgw-audit-stats-'));
      const env = { POLICY_GATEWAY_AUDIT_STORE_BACKEND: 'embedded', POLICY_GATEWAY_DATA_DIR: dir };
      return {
        store: await migratedStore(env),
        dispose: async () => rmSync(dir, { recursive: true, force: true }),
      };
    },
  },
];

async function migratedStore(env: Record<string, string>): Promise<AuditStore> {
  const { store: settings } = loadSettings(env);
  if (settings.backend === 'memory') throw new Error('a database backend was expected');
  const migrating = await openDatabase(settings, { log: silent, forMigrations: true });
  const { error } = await migrateToLatest(migrating.db);
  await migrating.close();
  if (error !== undefined) throw error;
  return openAuditStore(loadSettings(env).store, silent);
}

describe.each(backends)('GET /governance/audit/stats on $name', (backend) => {
  let t: TestApp;
  let dispose: () => Promise<void>;
  const entries = seededEntries(42, 900);

  beforeAll(async () => {
    const opened = await backend.open();
    dispose = opened.dispose;
    t = await buildTestApp({ store: opened.store });
    // Four writers at once, in batches, as the gateway's group commit writes.
    await Promise.all(
      [0, 1, 2, 3].map(async (writer) => {
        const mine = entries.filter((_, i) => i % 4 === writer);
        for (let start = 0; start < mine.length; start += 40) {
          await t.store.repository.appendMany(mine.slice(start, start + 40));
        }
      }),
    );
  }, 120_000);
  afterAll(async () => {
    await t?.app.close();
    await dispose?.();
  });

  async function stats(query: string) {
    const response = await t.app.inject({ url: `/governance/audit/stats?${query}` });
    return {
      status: response.statusCode,
      type: response.headers['content-type'],
      body: response.json(),
    };
  }

  it('answers by hour what a scan of the entries gives', async () => {
    const since = START + 2 * HOUR;
    const until = START + 26 * HOUR;
    const { status, body } = await stats(
      `since=${new Date(since).toISOString()}&until=${new Date(until).toISOString()}&bucket=hour&top=3`,
    );
    expect(status).toBe(200);
    const expected = scan(entries, since, until, 3);
    expect(
      body.buckets.map(({ start, allow, deny, error }: (typeof expected.buckets)[number]) => ({
        start,
        allow,
        deny,
        error,
      })),
    ).toEqual(expected.buckets);
    expect(body.evaluation_ms).toEqual(expected.evaluation_ms);
    expect(body.top_reasons).toEqual(expected.top_reasons);
    expect(body.top_users_by_denials).toEqual(expected.top_users_by_denials);
    expect(
      body.policy_versions.map((v: { policy_version: string; first_seen: string }) => ({
        policy_version: v.policy_version,
        first_seen: v.first_seen,
      })),
    ).toEqual(expected.policy_versions);
    expect(
      body.sources.map(
        ({ last_committed_at: _, ...source }: { last_committed_at: string | null }) => source,
      ),
    ).toEqual(expected.sources);
    for (const source of body.sources) {
      // When the upload arrived: now, for a database; unknown to the memory store.
      if (backend.name === 'the memory store') expect(source.last_committed_at).toBeNull();
      else expect(Date.parse(source.last_committed_at)).toBeGreaterThan(Date.parse('2026-12-01'));
    }
    expect(body.totals.allow + body.totals.deny + body.totals.error).toBe(
      expected.buckets.reduce((n, b) => n + b.allow + b.deny + b.error, 0),
    );
  });

  it('widens the range to whole days when asked by day', async () => {
    const { status, body } = await stats(
      'since=2026-11-28T10:30:00Z&until=2026-11-29T01:00:00Z&bucket=day',
    );
    expect(status).toBe(200);
    expect(body.since).toBe('2026-11-28T00:00:00.000Z');
    expect(body.until).toBe('2026-11-30T00:00:00.000Z');
    const day = (d: number) =>
      scan(entries, Date.UTC(2026, 10, 28 + d), Date.UTC(2026, 10, 29 + d), 10);
    expect(body.buckets.map((b: { deny: number }) => b.deny)).toEqual(
      [0, 1].map((d) => day(d).buckets.reduce((n, b) => n + b.deny, 0)),
    );
  });

  it('records each answer in the access log, naming no entries', async () => {
    await stats('since=2026-11-28T00:00:00Z&until=2026-11-29T00:00:00Z');
    const { records } = await t.store.accessLog.query({ limit: 10 });
    const record = records.find((r) => r.route === '/governance/audit/stats');
    expect(record).toMatchObject({
      status: 200,
      entryIds: [],
      parameters: { since: '2026-11-28T00:00:00Z', until: '2026-11-29T00:00:00Z' },
    });
  });

  it.each([
    {
      note: 'a reversed range',
      query: 'since=2026-11-29T00:00:00Z&until=2026-11-28T00:00:00Z',
      field: 'since',
    },
    {
      note: 'more than 1,000 buckets',
      query: 'since=2026-01-01T00:00:00Z&until=2026-11-28T00:00:00Z&bucket=hour',
      field: 'bucket',
    },
    { note: 'an unknown bucket', query: 'bucket=week', field: 'bucket' },
    { note: 'an unknown parameter', query: 'user_id=alice', field: 'user_id' },
    { note: 'a top of 51', query: 'top=51', field: 'top' },
  ])('refuses $note with a 400 problem naming $field', async ({ query, field }) => {
    const { status, type, body } = await stats(query);
    expect(status).toBe(400);
    expect(type).toMatch(/^application\/problem\+json/);
    expect(body).toMatchObject({ code: 'INVALID_QUERY_PARAMETER', field });
  });
});
