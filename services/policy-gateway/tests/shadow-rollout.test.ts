/**
 * Shadow rollout and monitor mode (issue 14), through real `policy-gateway serve` processes on
 * a PostgreSQL server and on PGlite: a candidate bundle (POLICY_GATEWAY_SHADOW_BUNDLE_DIR)
 * decides beside the shipped one on `/policy/evaluate` and the Data API, its decision is
 * recorded with the entry and never answered, a failing candidate never fails the request, the
 * audit query filters on entries where it decided otherwise, monitor mode answers allow while
 * recording the real decision, `/ready` says both, and `audit verify` finds a trail intact that
 * holds entries written before and after.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase } from '@policy-gateway/governance-runtime/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  auditEntries,
  evaluate,
  type GatewayEnv,
  type GatewayProcess,
  runCli,
  startGateway,
} from './support/gateway-process.js';

/**
 * The candidate: allows what the shipped bundle allows, but denies prompts with "forbidden",
 * and fails (two complete rules, two values: a conflict error) on "breaks the candidate".
 */
const CANDIDATE = `package policy_gateway

decision := {"allow": true, "reasons": []} if {
	not contains(input.prompt, "forbidden")
	input.prompt != "breaks the candidate"
}

decision := {"allow": false, "reasons": [{"code": "candidate.forbidden", "message": "the candidate forbids this word", "severity": "high"}]} if {
	contains(input.prompt, "forbidden")
}

decision := {"allow": true, "reasons": []} if input.prompt == "breaks the candidate"

decision := {"allow": false, "reasons": []} if input.prompt == "breaks the candidate"
`;

const AWS_KEY_PROMPT = 'deploy with key AKIAIOSFODNN7EXAMPLE';

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

let candidateDir: string;
beforeAll(() => {
  candidateDir = mkdtempSync(join(tmpdir(), 'pgw-candidate-'));
  writeFileSync(join(candidateDir, 'candidate.rego'), CANDIDATE);
  cleanups.push(() => rmSync(candidateDir, { recursive: true, force: true }));
});

async function gateway(env: GatewayEnv): Promise<GatewayProcess> {
  const started = await startGateway(env);
  cleanups.push(async () => {
    if (started.child.exitCode === null && started.child.signalCode === null) {
      await started.kill('SIGKILL');
    }
  });
  return started;
}

async function dataApi(url: string, prompt: string) {
  const response = await fetch(`${url}/v1/data/policy_gateway/decision`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ input: { prompt, user_id: 'data-api-user' } }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function entry(url: string, id: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${url}/governance/audit/${String(id)}`);
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, unknown>;
}

const STORES: { name: string; env(): Promise<GatewayEnv> }[] = [
  {
    name: 'a PostgreSQL server',
    async env() {
      const database = await createTestDatabase();
      cleanups.push(() => database.drop());
      const dataDir = mkdtempSync(join(tmpdir(), 'pgw-rollout-'));
      cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
      return {
        POLICY_GATEWAY_DATABASE_URL: database.url,
        POLICY_GATEWAY_DATA_DIR: dataDir,
      };
    },
  },
  {
    name: 'PGlite',
    async env() {
      const dataDir = mkdtempSync(join(tmpdir(), 'pgw-rollout-'));
      cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
      return { POLICY_GATEWAY_AUDIT_STORE_BACKEND: 'embedded', POLICY_GATEWAY_DATA_DIR: dataDir };
    },
  },
];

for (const store of STORES) {
  describe(`shadow rollout and monitor mode on ${store.name}`, () => {
    let env: GatewayEnv;
    /** Entries written before any rollout setting: they must verify as they always did. */
    const before: Record<string, unknown>[] = [];

    beforeAll(async () => {
      env = await store.env();
      const migrated = await runCli(['migrate'], env);
      expect(migrated.code, migrated.stderr).toBe(0);
      const plain = await gateway(env);
      for (const prompt of ['hello before the rollout', AWS_KEY_PROMPT]) {
        const answer = await evaluate(plain.url, { prompt, user_id: 'early' });
        expect(answer.status).toBe(200);
        expect(answer.body).not.toHaveProperty('enforced');
        before.push(answer.body);
      }
      const [recorded] = await auditEntries(plain.url, 'limit=1');
      expect(recorded).toMatchObject({ shadow: null, enforced: true });
      expect(await plain.kill('SIGTERM')).toBe(0);
    }, 300_000);

    it('records the shadow decision beside the answered one, filters on it, and verifies old and new entries', async () => {
      const shadowed = await gateway({ ...env, POLICY_GATEWAY_SHADOW_BUNDLE_DIR: candidateDir });
      try {
        const agrees = await evaluate(shadowed.url, { prompt: 'hello there', user_id: 'u1' });
        const differs = await evaluate(shadowed.url, {
          prompt: 'say the forbidden word',
          user_id: 'u1',
        });
        const fails = await evaluate(shadowed.url, {
          prompt: 'breaks the candidate',
          user_id: 'u1',
        });
        // The candidate's view is never answered: all three allowed, as the shipped bundle says.
        for (const answer of [agrees, differs, fails]) {
          expect(answer.status).toBe(200);
          expect(answer.body).toMatchObject({ decision: 'allow', reasons: [] });
        }
        const agreed = await entry(shadowed.url, agrees.body.audit_id);
        expect(agreed).toMatchObject({
          decision: 'allow',
          enforced: true,
          shadow: { decision: 'allow', reasons: [], error: null },
        });
        const shadow = agreed.shadow as Record<string, unknown>;
        expect(shadow.policy_version).not.toBe(agreed.policy_version);
        expect(typeof shadow.latency_ms).toBe('number');
        expect(await entry(shadowed.url, differs.body.audit_id)).toMatchObject({
          decision: 'allow',
          shadow: { decision: 'deny', reasons: [{ code: 'candidate.forbidden' }], error: null },
        });
        const failed = await entry(shadowed.url, fails.body.audit_id);
        expect(failed).toMatchObject({ decision: 'allow', shadow: { decision: 'error' } });
        expect((failed.shadow as { error: string }).error).toMatch(/conflict/);

        const data = await dataApi(shadowed.url, 'a forbidden question');
        expect(data.status).toBe(200);
        expect(data.body.result).toMatchObject({ allow: true });
        const [dataEntry] = await auditEntries(shadowed.url, 'limit=1&action=opa.data');
        expect(dataEntry).toMatchObject({ decision: 'allow', shadow: { decision: 'deny' } });

        const differing = await auditEntries(shadowed.url, 'shadow=differs&limit=50');
        expect(differing.map((e) => e.id)).toEqual([
          dataEntry!.id,
          fails.body.audit_id,
          differs.body.audit_id,
        ]);
        const recorded = await auditEntries(shadowed.url, 'shadow=recorded&limit=50');
        expect(recorded).toHaveLength(4);
        const refused = await fetch(`${shadowed.url}/governance/audit?shadow=sometimes`);
        expect(refused.status).toBe(400);
        expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);

        const ready = (await (await fetch(`${shadowed.url}/ready`)).json()) as Record<
          string,
          unknown
        >;
        expect(ready.rollout).toEqual({
          enforcement: 'enforce',
          shadow: {
            engine: 'embedded',
            path: 'data.policy_gateway.decision',
            version: shadow.policy_version,
          },
        });
        expect(shadowed.output()).toContain('shadow rollout: every decision is also evaluated');
      } finally {
        expect(await shadowed.kill('SIGTERM')).toBe(0);
      }
      const verified = await runCli(['audit', 'verify'], env);
      expect(verified.stdout + verified.stderr).toMatch(/checked 6 entries in 2 chains.*: intact/);
      expect(verified.code).toBe(0);
    }, 300_000);

    it('in monitor mode answers allow while recording the real decision, and says so loudly', async () => {
      const monitoring = await gateway({ ...env, POLICY_GATEWAY_ENFORCEMENT: 'monitor' });
      try {
        const answer = await evaluate(monitoring.url, { prompt: AWS_KEY_PROMPT, user_id: 'u2' });
        expect(answer.status).toBe(200);
        expect(answer.body).toMatchObject({ allow: true, decision: 'allow', enforced: false });
        expect(await entry(monitoring.url, answer.body.audit_id)).toMatchObject({
          decision: 'deny',
          enforced: false,
          reasons: [{ code: 'secret.aws_access_key' }],
          shadow: null,
        });
        // A retry under the same idempotency key is answered from the entry: allow again.
        const keyed = async () => {
          const response = await fetch(`${monitoring.url}/policy/evaluate`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'idempotency-key': 'monitored-1' },
            body: JSON.stringify({ prompt: AWS_KEY_PROMPT, user_id: 'u3' }),
          });
          return {
            replayed: response.headers.get('idempotent-replayed'),
            body: (await response.json()) as Record<string, unknown>,
          };
        };
        const first = await keyed();
        const retry = await keyed();
        expect(retry.replayed).toBe('true');
        expect(retry.body).toEqual(first.body);
        expect(retry.body).toMatchObject({ allow: true, enforced: false });
        const data = await dataApi(monitoring.url, AWS_KEY_PROMPT);
        expect(data.status).toBe(200);
        expect(data.body.result).toMatchObject({ allow: true });
        const [dataEntry] = await auditEntries(monitoring.url, 'limit=1&action=opa.data');
        expect(dataEntry).toMatchObject({ decision: 'deny', enforced: false });

        const ready = (await (await fetch(`${monitoring.url}/ready`)).json()) as {
          rollout: unknown;
          warnings: string[];
        };
        expect(ready.rollout).toEqual({ enforcement: 'monitor', shadow: null });
        expect(ready.warnings.join('\n')).toMatch(/MONITOR MODE .* NOT enforced/);
        expect(monitoring.output()).toMatch(/"level":40[^\n]*MONITOR MODE/);
      } finally {
        expect(await monitoring.kill('SIGTERM')).toBe(0);
      }
      const verified = await runCli(['audit', 'verify'], env);
      expect(verified.stdout).toMatch(/: intact\n$/);
      expect(verified.code).toBe(0);
    }, 300_000);

    it('refuses to start on a candidate bundle that does not compile, naming the variable', async () => {
      const broken = mkdtempSync(join(tmpdir(), 'pgw-broken-candidate-'));
      cleanups.push(() => rmSync(broken, { recursive: true, force: true }));
      writeFileSync(join(broken, 'broken.rego'), 'package policy_gateway\n\ndecision := {\n');
      const started = await runCli(['serve'], {
        ...env,
        POLICY_GATEWAY_HOST: '127.0.0.1',
        POLICY_GATEWAY_PORT: '0',
        POLICY_GATEWAY_SHADOW_BUNDLE_DIR: broken,
      });
      expect(started.code).not.toBe(0);
      expect(started.stderr).toMatch(
        /cannot start the shadow bundle \(POLICY_GATEWAY_SHADOW_BUNDLE_DIR .*broken\.rego:\d+:\d+/,
      );
    }, 300_000);
  });
}
