// `policy-gateway serve` refusing to start: the operator gets one line naming the setting to
// fix, without a stack, and exit 1. Runs the real command as a child process.
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliResult, runCli } from './support/gateway-process.js';

let busy: Server;
let busyPort: number;
let emptyBundle: string;

beforeAll(async () => {
  busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  const address = busy.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  busyPort = address.port;
  emptyBundle = await mkdtemp(join(tmpdir(), 'policy-gateway-empty-bundle-'));
});

afterAll(async () => {
  await new Promise((resolve) => busy.close(resolve));
  await rm(emptyBundle, { recursive: true, force: true });
});

function expectOneLineRefusal(result: CliResult, says: string): void {
  expect(result.code).toBe(1);
  const lines = result.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^policy-gateway: refusing to start: /);
  expect(lines[0]).toContain(says);
}

describe('policy-gateway serve, refusing to start', () => {
  const memory = { POLICY_GATEWAY_AUDIT_STORE_BACKEND: 'memory', POLICY_GATEWAY_HOST: '127.0.0.1' };

  it('names the variable and what it accepts when a setting is invalid', async () => {
    const result = await runCli(['serve'], { ...memory, POLICY_GATEWAY_PORT: '70000' });
    expectOneLineRefusal(result, 'POLICY_GATEWAY_PORT=70000 is invalid');
  });

  it('names POLICY_GATEWAY_HOST and POLICY_GATEWAY_PORT when the port is taken', async () => {
    const result = await runCli(['serve'], { ...memory, POLICY_GATEWAY_PORT: String(busyPort) });
    expectOneLineRefusal(
      result,
      `cannot listen on 127.0.0.1:${busyPort} (POLICY_GATEWAY_HOST, POLICY_GATEWAY_PORT)`,
    );
  });

  it('names POLICY_GATEWAY_POLICY_BUNDLE_DIR when the bundle has no policy', async () => {
    const result = await runCli(['serve'], {
      ...memory,
      POLICY_GATEWAY_PORT: '0',
      POLICY_GATEWAY_POLICY_BUNDLE_DIR: emptyBundle,
    });
    expectOneLineRefusal(
      result,
      // The mask policy is read from the bundle first (when masking is on, as by default).
      `(POLICY_GATEWAY_POLICY_BUNDLE_DIR ${emptyBundle}): no .rego module found`,
    );
  });
});
