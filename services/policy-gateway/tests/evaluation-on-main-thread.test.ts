/**
 * POLICY_GATEWAY_EVAL_WORKERS=0 is allowed (tests, trusted clients, the smallest footprint), but
 * it gives up the isolation and the hard stop of evaluation threads: the gateway says so at
 * start, so that an operator who set it does not learn it from a stalled gateway.
 */
import { describe, expect, it } from 'vitest';
import { startGateway } from './support/gateway-process.js';

const WARNING = 'POLICY_GATEWAY_EVAL_WORKERS=0: policies are evaluated on the main thread';

async function startupOutput(workers: string): Promise<string> {
  const gateway = await startGateway({
    POLICY_GATEWAY_AUDIT_STORE_BACKEND: 'memory',
    POLICY_GATEWAY_EVAL_WORKERS: workers,
  });
  try {
    const health = await fetch(`${gateway.url}/health`);
    expect(health.status).toBe(200);
    return gateway.output();
  } finally {
    await gateway.kill('SIGTERM');
  }
}

describe('evaluating on the main thread', () => {
  it('warns at start that nothing stops an overrunning evaluation', async () => {
    expect(await startupOutput('0')).toContain(WARNING);
  });

  it('does not warn with an evaluation thread (the default)', async () => {
    expect(await startupOutput('1')).not.toContain(WARNING);
  });
});
