/**
 * POLICY_GATEWAY_POLICY_HTTP_ALLOWED_HOSTS (issue 15): the embedded engine's http.send reaches
 * only the hosts the setting lists, on worker threads and on the calling thread alike. The
 * HTTP server runs on a thread of its own, since http.send blocks the thread that evaluates.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSettings } from '../../src/config/settings.js';
import { createPolicyEngine } from '../../src/policy/create-policy-engine.js';
import type { PolicyInput } from '../../src/policy/policy-engine.js';

const SERVER = `
const http = require('node:http');
const { parentPort } = require('node:worker_threads');
const server = http.createServer((req, res) => {
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ verdict: 'ok' }));
});
server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));
parentPort.on('message', () => server.close(() => process.exit(0)));
`;

/** Allows a prompt when the service at input.context.url answers 200; denies otherwise. */
const POLICY = `package t

default decision := {"allow": false, "reasons": [{"code": "t.unreachable", "message": "no answer", "severity": "low"}]}

decision := {"allow": true, "reasons": []} if {
	response := http.send({"method": "get", "url": input.context.url, "timeout": "500ms"})
	response.body.verdict == "ok"
}
`;

let server: Worker;
let url: string;
let bundleDir: string;

beforeAll(async () => {
  server = new Worker(SERVER, { eval: true });
  const port = await new Promise<number>((resolve) => server.once('message', resolve));
  url = `http://127.0.0.1:${port}/verdict`;
  bundleDir = await mkdtemp(path.join(tmpdir(), 'policy-http-send-'));
  await writeFile(path.join(bundleDir, 'policy.rego'), POLICY);
});

afterAll(async () => {
  server.postMessage('stop');
  await new Promise((resolve) => server.once('exit', resolve));
  await rm(bundleDir, { recursive: true, force: true });
});

const input = (): PolicyInput => ({ prompt: 'hello', user_id: 'u-1', context: { url } });

describe('POLICY_GATEWAY_POLICY_HTTP_ALLOWED_HOSTS', () => {
  it('is parsed as a list of hosts, unset meaning none', () => {
    expect(loadSettings({}, process.cwd()).policy.httpAllowedHosts).toBeUndefined();
    const settings = loadSettings(
      { POLICY_GATEWAY_POLICY_HTTP_ALLOWED_HOSTS: '127.0.0.1, .example.com' },
      process.cwd(),
    );
    expect(settings.policy.httpAllowedHosts).toEqual(['127.0.0.1', '.example.com']);
    expect(() =>
      loadSettings({ POLICY_GATEWAY_POLICY_HTTP_ALLOWED_HOSTS: 'http://x/' }, process.cwd()),
    ).toThrow(/POLICY_GATEWAY_POLICY_HTTP_ALLOWED_HOSTS/);
  });

  for (const workers of [1, 0]) {
    it(`lets the policy reach a listed host, and no other (${workers} worker threads)`, async () => {
      const allowed = await createPolicyEngine({
        bundleDir,
        policyPath: 'data.t.decision',
        opaTimeoutMs: 1000,
        workers,
        httpAllowedHosts: ['127.0.0.1'],
      });
      const refused = await createPolicyEngine({
        bundleDir,
        policyPath: 'data.t.decision',
        opaTimeoutMs: 1000,
        workers,
      });
      try {
        expect((await allowed.evaluate(input())).decision).toBe('allow');
        const denied = await refused.evaluate(input());
        expect(denied.decision).toBe('deny');
        expect(denied.reasons[0]?.code).toBe('t.unreachable');
      } finally {
        await Promise.all([allowed.close(), refused.close()]);
      }
    });
  }
});
