// The mask policy comes from the bundle that decides: the gateway's engine on worker threads,
// bundles polled from a real local bundle server, the write path as `serve` composes it. Once a
// bundle with another mask policy is switched in, the next entries are masked by it, both when
// the mask is evaluated with the decision and when the write path asks the active engine for it
// (a mask policy that reads the event's `requested_by`).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AuditEntry } from '@policy-gateway/gateway-contract';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { BundlePoller } from '../../src/policy/bundle-poller.js';
import { createPolicyEngine } from '../../src/policy/create-policy-engine.js';
import { SwitchablePolicyEngine } from '../../src/policy/switchable-policy-engine.js';
import { withAuditPrivacy } from '../../src/privacy/audit-privacy.js';
import { openAuditStore } from '../../src/store/open-audit-store.js';
import { TEST_APP_SETTINGS } from '../support/build-test-app.js';
import { BundleServer, bundleTarball } from '../support/bundle-server.js';

const TOKEN = 'bundle-server-token';
const POLICY_PATH = 'data.t.decision';
const silent = pino({ level: 'silent' });

/** Allows everything; its mask policy erases the context member it is given. */
function bundleFiles(revision: string, maskRule: string): Record<string, string> {
  return {
    '.manifest': JSON.stringify({ revision }),
    't/policy.rego': 'package t\n\ndecision := {"allow": true, "reasons": []}\n',
    'system/log/mask.rego': `package system.log\n\n${maskRule}\n`,
  };
}

const erases = (member: string) => `mask contains "/input/context/${member}"`;

let scratch: string;
let server: BundleServer;
let poller: BundlePoller;
let engine: SwitchablePolicyEngine;
let app: FastifyInstance;

beforeEach(async () => {
  scratch = mkdtempSync(path.join(tmpdir(), 'pgw-mask-follows-'));
  server = new BundleServer(TOKEN);
  await server.listen();
  const initialBundle = path.join(scratch, 'initial.tar.gz');
  writeFileSync(initialBundle, await bundleTarball(bundleFiles('a', erases('secret_a'))));
  const settings = {
    store: { backend: 'memory', maxEntries: 100 },
    dataDir: scratch,
    policy: { bundleDir: initialBundle },
    privacy: {
      masking: 'on',
      sealOriginals: 'on',
      kekFile: undefined,
      userIds: 'plain',
      hmacKeyFile: undefined,
      subjectKeys: undefined,
    },
  } as const;
  const store = await withAuditPrivacy(
    await openAuditStore(settings.store, silent),
    settings,
    silent,
  );
  // As `serve` starts an engine, on its local bundle and on each polled one.
  const startEngine = (bundleDir: string) =>
    createPolicyEngine({
      bundleDir,
      policyPath: POLICY_PATH,
      opaTimeoutMs: 2_000,
      workers: 1,
      decisionLogMask: true,
    });
  engine = new SwitchablePolicyEngine(await startEngine(initialBundle));
  store.privacy?.maskPolicy?.follow(engine);
  poller = new BundlePoller({
    url: server.url,
    token: TOKEN,
    intervalMs: 60_000,
    timeoutMs: 10_000,
    maxBytes: 1_048_576,
    startEngine,
    engine,
    log: { info: () => undefined, warn: () => undefined },
  });
  app = await buildApp({ settings: TEST_APP_SETTINGS, store, engine });
}, 60_000);

afterEach(async () => {
  await poller.stop();
  await app.close();
  await server.close();
  rmSync(scratch, { recursive: true, force: true });
});

/** Decides on a prompt whose context holds every secret, and reads back the stored entry. */
async function decideAndRead(): Promise<AuditEntry> {
  const decided = await app.inject({
    method: 'POST',
    url: '/policy/evaluate',
    payload: {
      prompt: 'hello',
      user_id: 'u-mask',
      context: { secret_a: 'A', secret_b: 'B', secret_c: 'C' },
    },
  });
  expect(decided.statusCode, decided.body).toBe(200);
  const read = await app.inject({ url: `/governance/audit/${decided.json().audit_id}` });
  expect(read.statusCode).toBe(200);
  return read.json() as AuditEntry;
}

async function switchTo(revision: string, maskRule: string): Promise<void> {
  await server.publish(bundleFiles(revision, maskRule), revision);
  await poller.pollOnce();
  expect(poller.status()).toMatchObject({ activeVersion: revision, lastError: null });
  expect(engine.policyVersion).toBe(revision);
}

describe('the mask policy of a polled bundle', () => {
  it('masks the next entries once its bundle is switched in, evaluated with the decision', async () => {
    const before = await decideAndRead();
    expect(before.policy_version).toBe('a');
    expect(before.masking?.erased).toEqual(['/input/context/secret_a']);
    expect(before.input).toMatchObject({ context: { secret_b: 'B', secret_c: 'C' } });
    expect(before.input).not.toHaveProperty('context.secret_a');

    await switchTo('b', erases('secret_b'));
    const after = await decideAndRead();
    expect(after.policy_version).toBe('b');
    expect(after.masking?.erased).toEqual(['/input/context/secret_b']);
    expect(after.input).toMatchObject({ context: { secret_a: 'A', secret_c: 'C' } });
    expect(after.input).not.toHaveProperty('context.secret_b');
  }, 60_000);

  it('masks the next entries once its bundle is switched in, asked by the write path for a rule on requested_by', async () => {
    // `requested_by` is known only to the write path, which asks the active engine.
    await switchTo('c', `${erases('secret_c')} if input.requested_by != null`);
    const entry = await decideAndRead();
    expect(entry.policy_version).toBe('c');
    expect(entry.masking?.erased).toEqual(['/input/context/secret_c']);
    expect(entry.input).toMatchObject({ context: { secret_a: 'A', secret_b: 'B' } });
    expect(entry.input).not.toHaveProperty('context.secret_c');
  }, 60_000);
});

describe('an engine asked for decision-log masks', () => {
  it("answers each decision with its bundle's mask, evaluated on its thread", async () => {
    const evaluation = await engine.evaluate({
      prompt: 'hello',
      user_id: 'u-mask',
      context: { secret_a: 'A' },
    });
    expect(evaluation.decision).toBe('allow');
    expect(evaluation.mask).toMatchObject({ kind: 'defined', result: ['/input/context/secret_a'] });
  }, 60_000);

  it('leaves to the write path a mask policy that reads what only the write path knows', async () => {
    await switchTo('d', `${erases('secret_a')} if input.timestamp != ""`);
    const evaluation = await engine.evaluate({ prompt: 'hello', user_id: 'u-mask', context: {} });
    expect(evaluation.decision).toBe('allow');
    expect(evaluation.mask).toBeUndefined();
  }, 60_000);
});
