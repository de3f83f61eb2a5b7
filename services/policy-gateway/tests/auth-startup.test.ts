/**
 * The safe defaults, on the real `policy-gateway` command: listening beyond this machine
 * needs `POLICY_GATEWAY_AUTH` set; the workstation case (loopback, unset) serves without
 * authentication and says so; `off` beyond loopback is served but flagged unsafe; and with
 * `on`, a key made by `policy-gateway keys create` is what lets a client in, and the entry
 * records it.
 */
import { request } from 'node:http';
import type { AuthPrincipal, ReadyStatus } from '@policy-gateway/gateway-contract';
import { createTestDatabase, type TestDatabase } from '@policy-gateway/governance-runtime/testing';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { type GatewayProcess, runCli, startGateway } from './support/gateway-process.js';

let gateway: GatewayProcess | undefined;
afterEach(async () => {
  await gateway?.kill('SIGTERM');
  gateway = undefined;
});

function statusWithHost(url: string, host: string): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    const sent = request(url, { headers: { host } }, (response) => {
      response.resume();
      resolve(response.statusCode);
    });
    sent.on('error', reject);
    sent.end();
  });
}

const MEMORY = { POLICY_GATEWAY_AUDIT_STORE_BACKEND: 'memory' };

describe('policy-gateway serve: who must authenticate', () => {
  for (const host of ['0.0.0.0', '::']) {
    it(`refuses to listen on ${host} with POLICY_GATEWAY_AUTH unset, in one line saying what to set, exit 1`, async () => {
      const result = await runCli(['serve'], { ...MEMORY, POLICY_GATEWAY_HOST: host });
      expect(result.code).toBe(1);
      const lines = result.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^policy-gateway: refusing to start: /);
      expect(lines[0]).toContain('POLICY_GATEWAY_AUTH=on');
      expect(lines[0]).toContain(`POLICY_GATEWAY_HOST=${host}`);
    });
  }

  it('listens on 127.0.0.1 by default, without authentication, and says so at start-up and in /ready', async () => {
    // Blank is unset: the default host.
    gateway = await startGateway({ ...MEMORY, POLICY_GATEWAY_HOST: '' });
    expect(new URL(gateway.url).hostname).toBe('127.0.0.1');
    expect(gateway.output()).toContain('authentication: OFF');
    const ready = (await (await fetch(`${gateway.url}/ready`)).json()) as ReadyStatus;
    expect(ready.auth).toEqual({ mode: 'unset', unsafe: false, authenticators: [] });
    const me = (await (await fetch(`${gateway.url}/auth/me`)).json()) as AuthPrincipal;
    expect(me.id).toBe('anonymous');
  });

  it('serves POLICY_GATEWAY_AUTH=off on all interfaces, flagged unsafe in the log and /ready', async () => {
    const started = await startGateway({
      ...MEMORY,
      POLICY_GATEWAY_HOST: '0.0.0.0',
      POLICY_GATEWAY_AUTH: 'off',
    });
    gateway = started;
    // The warning follows the listening line, and the process's output arrives in pieces.
    await vi.waitFor(() => expect(started.output()).toMatch(/UNSAFE: POLICY_GATEWAY_AUTH=off/), {
      timeout: 10_000,
    });
    const port = new URL(started.url).port;
    const ready = (await (await fetch(`http://127.0.0.1:${port}/ready`)).json()) as ReadyStatus;
    expect(ready.auth).toMatchObject({ mode: 'off', unsafe: true });
    expect(ready.warnings?.join(' ')).toMatch(/UNSAFE/);
  });

  it('refuses POLICY_GATEWAY_AUTH=on with the memory store and no OIDC issuer: nobody could sign in', async () => {
    const result = await runCli(['serve'], { ...MEMORY, POLICY_GATEWAY_AUTH: 'on' });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('POLICY_GATEWAY_AUTH=on');
  });
});

describe('policy-gateway serve with POLICY_GATEWAY_AUTH=on and a key from `keys create`', () => {
  let database: TestDatabase | undefined;
  afterAll(async () => {
    await database?.drop();
  });

  it('answers 401 without the key, evaluates with it, records the key as the principal, and refuses another Host', async () => {
    database = await createTestDatabase();
    const env = { POLICY_GATEWAY_DATABASE_URL: database.url };
    expect((await runCli(['migrate'], env)).code).toBe(0);
    const created = await runCli(['keys', 'create', '--role', 'evaluator', '--json'], env);
    expect(created.code).toBe(0);
    const key = JSON.parse(created.stdout) as { id: string; key: string; role: string };
    const auditor = JSON.parse(
      (await runCli(['keys', 'create', '--role', 'auditor', '--json'], env)).stdout,
    ) as { id: string; key: string };

    gateway = await startGateway({ ...env, POLICY_GATEWAY_AUTH: 'on' });
    expect(gateway.output()).toContain('authentication: on (api_key)');
    const evaluate = (headers: Record<string, string>) =>
      fetch(`${gateway!.url}/policy/evaluate`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ prompt: 'hello', user_id: 'grace' }),
      });
    const refused = await evaluate({});
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toBe('Bearer realm="policy-gateway"');

    const decided = await evaluate({ authorization: `Bearer ${key.key}` });
    expect(decided.status).toBe(200);
    const { audit_id } = (await decided.json()) as { audit_id: string };
    const entry = await fetch(`${gateway.url}/governance/audit/${audit_id}`, {
      headers: { authorization: `Bearer ${auditor.key}` },
    });
    expect(await entry.json()).toMatchObject({ user_id: 'grace', principal_id: `key:${key.id}` });

    // fetch sets Host itself; node:http sends the one given, as a rebound page's browser would.
    expect(await statusWithHost(`${gateway.url}/health`, 'rebind.attacker.example')).toBe(421);
    expect(await statusWithHost(`${gateway.url}/health`, 'localhost:8080')).toBe(200);
  }, 120_000);
});
