/**
 * Decision-log ingestion (issue 14): batches sent as OPA's `decision_logs` plugin sends them
 * (a gzip JSON array, `Content-Encoding: gzip`, a bearer token) to a listening gateway on a
 * PostgreSQL audit store, reached through a TCP proxy that a test cuts to play a database
 * that goes away. What OPA relies on: a 2xx only once every event is committed, a retried
 * batch stored once, and an answer that makes it keep and retry a batch the store could not
 * take.
 */
import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { AuditLogEntry } from '@policy-gateway/governance-runtime';
import { createTestDatabase, type TestDatabase } from '@policy-gateway/governance-runtime/testing';
import type { FastifyInstance } from 'fastify';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { loadSettings } from '../src/config/settings.js';
import { migrateToLatest } from '../src/db/migration-runner.js';
import type { AuditStore } from '../src/store/audit-store.js';
import { openAuditStore } from '../src/store/open-audit-store.js';
import { TEST_APP_SETTINGS } from './support/build-test-app.js';
import {
  bearer,
  FixedPrincipalAuthenticator,
  keyPrincipal,
} from './support/fixed-principal-authenticator.js';
import { ScriptedPolicyEngine } from './support/scripted-policy-engine.js';
import { TcpProxy } from './support/tcp-proxy.js';

const silent = pino({ level: 'silent' });
const MAX_BYTES = 64 * 1024;
const OPA_INSTANCE = '1780d507-aea2-45cc-ae50-fa153c8e4a5a';

let database: TestDatabase;
let proxy: TcpProxy;
let store: AuditStore;
let app: FastifyInstance;
let url: string;

// A fresh database per test: the audit table is append-only, never emptied.
beforeEach(async () => {
  database = await createTestDatabase();
  const pool = new pg.Pool({ connectionString: database.url, max: 1 });
  await migrateToLatest(new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) }));
  await pool.end();
  const through = new URL(database.url);
  proxy = new TcpProxy(through.hostname, Number(through.port || 5432));
  await proxy.up();
  through.host = `127.0.0.1:${proxy.port}`;
  const settings = loadSettings({
    POLICY_GATEWAY_DATABASE_URL: through.toString(),
    POLICY_GATEWAY_DB_TIMEOUT_MS: '2000',
  });
  store = await openAuditStore(settings.store, silent);
  app = await buildApp({
    settings: { ...TEST_APP_SETTINGS, decisionLogs: { path: '/logs', maxBytes: MAX_BYTES } },
    store,
    engine: new ScriptedPolicyEngine(),
    authentication: {
      mode: { mode: 'on', unsafe: false },
      authenticators: {
        test: new FixedPrincipalAuthenticator({
          opa: keyPrincipal('opa-fleet', ['evaluator']),
          auditor: keyPrincipal('auditor', ['auditor']),
        }),
      },
    },
  });
  url = (await app.listen({ host: '127.0.0.1', port: 0 })).replace('127.0.0.1', 'localhost');
});
afterEach(async () => {
  await app.close();
  await proxy.down();
  await database.drop();
});

/** One event as OPA's decision logger writes it. */
function opaEvent(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    labels: { app: 'payments', id: OPA_INSTANCE, version: '1.4.2' },
    decision_id: randomUUID(),
    bundles: { authz: { revision: 'rev-42' } },
    path: 'http/example/authz/allow',
    input: { method: 'GET', path: '/salary/bob', user_id: 'bob' },
    result: true,
    requested_by: '10.0.0.7:59943',
    timestamp: '2026-12-05T10:15:30.123456789Z',
    metrics: { timer_rego_query_eval_ns: 61_000, timer_server_handler_ns: 250_000 },
    req_id: 7,
    nd_builtin_cache: { time: { now_ns: { '[]': 1 } } },
    ...overrides,
  };
}

/** Uploads as OPA's plugin does: gzip JSON array, bearer token. */
async function upload(events: unknown, token = 'opa', body?: Uint8Array) {
  const response = await fetch(`${url}/logs`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'content-encoding': 'gzip',
      ...bearer(token),
    },
    body: body ?? gzipSync(JSON.stringify(events)),
  });
  const text = await response.text();
  return {
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    body: text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>),
  };
}

async function stored(): Promise<AuditLogEntry[]> {
  const page = await store.repository.query({ limit: 1000 });
  return [...page.entries];
}

describe('POST /logs (OPA decision-log uploads)', () => {
  it('commits every event of a gzip batch as an opa.decision_log entry before answering 204', async () => {
    const allowed = opaEvent();
    const undefinedDecision = opaEvent({ result: undefined, path: 'http/example/authz/deny' });
    const failed = opaEvent({ result: undefined, error: { code: 'eval_error', message: 'x' } });
    const answer = await upload([allowed, undefinedDecision, failed]);
    expect(answer.status).toBe(204);
    const entries = await stored();
    expect(entries).toHaveLength(3);
    const byDecision = new Map(entries.map((entry) => [entry.decisionId, entry]));
    expect(byDecision.get(allowed.decision_id as string)).toMatchObject({
      action: 'opa.decision_log',
      policyEngine: 'opa',
      gatewayInstance: OPA_INSTANCE,
      policyPath: 'data.http.example.authz.allow',
      policyVersion: 'rev-42',
      decision: 'allow',
      input: allowed.input,
      result: true,
      userId: 'bob',
      principalId: 'key:opa-fleet',
      clientAddress: '10.0.0.7:59943',
      occurredAt: '2026-12-05T10:15:30.123456Z',
      latencyMs: 0.25,
    });
    expect(byDecision.get(undefinedDecision.decision_id as string)?.decision).toBe('deny');
    expect(byDecision.get(failed.decision_id as string)).toMatchObject({
      decision: 'error',
      error: '{"code":"eval_error","message":"x"}',
    });
  });

  it("lets auditors list uploaded decisions apart from the gateway's own, by action and OPA instance", async () => {
    const ours = opaEvent();
    const another = opaEvent({ labels: { id: 'another-opa' } });
    expect((await upload([ours, another])).status).toBe(204);
    const gatewayOwn = await fetch(`${url}/policy/evaluate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer('opa') },
      body: JSON.stringify({ prompt: 'hi', user_id: 'alice' }),
    });
    expect(gatewayOwn.status).toBe(200);
    const list = async (query: string) => {
      const response = await fetch(`${url}/governance/audit?${query}`, {
        headers: bearer('auditor'),
      });
      expect(response.status).toBe(200);
      const page = (await response.json()) as { entries: { decision_id: string }[] };
      return page.entries.map((entry) => entry.decision_id).sort();
    };
    expect(await list('action=opa.decision_log')).toEqual(
      [ours.decision_id, another.decision_id].sort(),
    );
    expect(await list(`gateway_instance=${OPA_INSTANCE}`)).toEqual([ours.decision_id]);
    expect(await list('action=policy.evaluate')).toHaveLength(1);
  });

  it('stores nothing twice when OPA uploads the same batch again, even with new events in it', async () => {
    const first = [opaEvent(), opaEvent()];
    expect((await upload(first)).status).toBe(204);
    expect((await upload(first)).status).toBe(204);
    const grown = [...first, opaEvent({ result: false })];
    expect((await upload(grown)).status).toBe(204);
    const entries = await stored();
    expect(entries.map((entry) => entry.decisionId).sort()).toEqual(
      grown.map((event) => event.decision_id).sort(),
    );
  });

  it('refuses a batch with a malformed event with 400 naming it, and stores none of the batch', async () => {
    const answer = await upload([opaEvent(), opaEvent({ timestamp: 'yesterday' }), opaEvent()]);
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ code: 'INVALID_FIELD', field: '[1].timestamp' });
    expect(answer.body?.detail).toContain('nothing of the batch was stored');
    const noInstance = await upload([opaEvent({ labels: { app: 'x' } })]);
    expect(noInstance.body).toMatchObject({ code: 'INVALID_FIELD', field: '[0].labels.id' });
    const unstorable = await upload([opaEvent(), opaEvent({ input: { prompt: 'a\u0000b' } })]);
    expect(unstorable.status).toBe(400);
    expect(unstorable.body).toMatchObject({ field: '[1].input.prompt' });
    expect(await stored()).toHaveLength(0);
  });

  it('refuses with 413 a batch that inflates beyond the limit, and a body that is not gzip with 400', async () => {
    // Compresses to a few hundred bytes, inflates past MAX_BYTES: a decompression bomb.
    const bomb = [opaEvent({ input: { prompt: 'a'.repeat(MAX_BYTES * 4) } })];
    const answer = await upload(bomb);
    expect(answer.status).toBe(413);
    expect(answer.body).toMatchObject({ code: 'BODY_TOO_LARGE' });
    expect(answer.body?.detail).toContain('POLICY_GATEWAY_DECISION_LOG_MAX_BYTES');
    const notGzip = await upload(undefined, 'opa', new TextEncoder().encode('[]'));
    expect(notGzip.status).toBe(400);
    expect(await stored()).toHaveLength(0);
  });

  it('takes uploads only with a credential holding the evaluator role', async () => {
    const response = await fetch(`${url}/logs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: gzipSync(JSON.stringify([opaEvent()])),
    });
    expect(response.status).toBe(401);
    expect((await upload([opaEvent()], 'auditor')).status).toBe(403);
    expect(await stored()).toHaveLength(0);
  });

  it('answers 503 with Retry-After while the database is down, and after recovery stores every event exactly once', async () => {
    const before = [opaEvent()];
    expect((await upload(before)).status).toBe(204);
    const batch = [opaEvent(), opaEvent(), opaEvent()];
    await proxy.down();
    const refused = await upload(batch);
    expect(refused.status).toBe(503);
    expect(refused.retryAfter).not.toBeNull();
    expect(refused.body).toMatchObject({ code: 'AUDIT_STORE_UNAVAILABLE' });
    await proxy.up();
    // OPA keeps the batch and uploads it again, with the earlier event re-sent as well.
    let retried = await upload([...before, ...batch]);
    for (let attempt = 0; retried.status !== 204 && attempt < 20; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      retried = await upload([...before, ...batch]);
    }
    expect(retried.status).toBe(204);
    const entries = await stored();
    expect(entries.map((entry) => entry.decisionId).sort()).toEqual(
      [...before, ...batch].map((event) => event.decision_id).sort(),
    );
  });
});
