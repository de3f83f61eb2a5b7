/**
 * A key named `__proto__` in a request body is data from end to end, as OPA reads it: through
 * the body parser, a worker thread of the embedded engine (the policy sees it), the PostgreSQL
 * audit trail, and the entry served back; and no prototype of the process changes on the way.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTestDatabase, type TestDatabase } from '@policy-gateway/governance-runtime/testing';
import type { FastifyInstance } from 'fastify';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { loadSettings } from '../src/config/settings.js';
import { migrateToLatest } from '../src/db/migration-runner.js';
import { WorkerPolicyEngine } from '../src/policy/worker-policy-engine.js';
import { openAuditStore } from '../src/store/open-audit-store.js';
import { TEST_APP_SETTINGS } from './support/build-test-app.js';

const POLICY = `package t

default seen := null

seen := input.context["__proto__"]

decision := {"allow": true, "reasons": [], "seen": seen}
`;

let database: TestDatabase;
let bundleDir: string;
let app: FastifyInstance;

beforeAll(async () => {
  database = await createTestDatabase();
  const db = new Kysely<unknown>({
    dialect: new PostgresDialect({
      pool: new pg.Pool({ connectionString: database.url, max: 1 }),
    }),
  });
  await migrateToLatest(db);
  await db.destroy();
  bundleDir = await mkdtemp(path.join(tmpdir(), 'proto-key-policy-'));
  await writeFile(path.join(bundleDir, 'policy.rego'), POLICY);
  const settings = loadSettings({ POLICY_GATEWAY_DATABASE_URL: database.url });
  app = await buildApp({
    settings: TEST_APP_SETTINGS,
    store: await openAuditStore(settings.store, pino({ level: 'silent' })),
    engine: await WorkerPolicyEngine.start({
      bundleDir,
      policyPath: 'data.t.decision',
      threads: 1,
    }),
  });
});

afterAll(async () => {
  await app?.close();
  await rm(bundleDir, { recursive: true, force: true });
  await database?.drop();
});

function ownValue(object: unknown, key: string): unknown {
  return Object.getOwnPropertyDescriptor(object, key)?.value;
}

describe('a context key named __proto__', () => {
  it('reaches the policy and the stored, served audit entry as data', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/policy/evaluate',
      headers: { 'content-type': 'application/json' },
      payload:
        '{"prompt": "hi", "user_id": "u", "context": {"__proto__": {"polluted": true}, "app": "chat"}}',
    });
    expect(response.statusCode).toBe(200);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();

    const served = await app.inject({ url: `/governance/audit/${response.json().audit_id}` });
    expect(served.statusCode).toBe(200);
    // JSON.parse makes `__proto__` an own property, so what was served can be inspected as data.
    const entry = JSON.parse(served.payload) as {
      input: { context: object };
      result: { seen: unknown };
    };
    expect(Object.keys(entry.input.context).sort()).toEqual(['__proto__', 'app']);
    expect(ownValue(entry.input.context, '__proto__')).toEqual({ polluted: true });
    expect(entry.result.seen).toEqual({ polluted: true });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
