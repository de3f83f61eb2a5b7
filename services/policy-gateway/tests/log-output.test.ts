/**
 * The gateway's log on stdout, as an operator's log collector reads it from the real command:
 * a reader that falls behind does not slow the gateway down, and a graceful stop writes every
 * line first.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { evaluate, type GatewayProcess, startGateway } from './support/gateway-process.js';

const dataDir = mkdtempSync(join(tmpdir(), 'pgw-log-output-'));

afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

function gateway(workers: number): Promise<GatewayProcess> {
  return startGateway({
    POLICY_GATEWAY_AUDIT_STORE_BACKEND: 'memory',
    POLICY_GATEWAY_DATA_DIR: dataDir,
    POLICY_GATEWAY_WORKERS: String(workers),
    // Every request comes from this one address.
    POLICY_GATEWAY_EVAL_PER_CLIENT_LIMIT: '1000',
    POLICY_GATEWAY_EVAL_QUEUE_LIMIT: '1000',
  });
}

/** The JSON lines printed, each parsed (stderr's lines, if any, left out). */
function logLines(output: string): Record<string, unknown>[] {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

const prompt = { prompt: 'Summarise the quarterly report for the board.', user_id: 'log-test' };

describe('log output', () => {
  it('keeps answering while the reader of its stdout has stopped reading, and writes every line once it reads again', async () => {
    const served = await gateway(1);
    let output = '';
    served.child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    // The reader stops: the pipe fills after a few hundred requests' lines (~2 per request).
    served.child.stdout?.pause();
    // With a stdout that blocks, the request whose line no longer fits waits for the reader,
    // and so does every other: none of these would be answered.
    const requests = 1000;
    for (let i = 0; i < requests; i += 50) {
      const batch = await Promise.all(
        Array.from({ length: 50 }, () => evaluate(served.url, prompt)),
      );
      expect(batch.map((response) => response.status)).toEqual(Array(50).fill(200));
    }
    served.child.stdout?.resume();
    expect(await served.kill('SIGTERM')).toBe(0);
    const lines = logLines(output);
    const completed = lines.filter((line) => line.msg === 'request completed');
    expect(completed).toHaveLength(requests);
    expect(lines.at(-1)?.msg).toBe(
      'stopped: requests finished, audit store and policy engine closed',
    );
  }, 180_000);

  it('writes whole lines from every worker, the last request logs included, before it exits on SIGTERM', async () => {
    const served = await gateway(2);
    let output = '';
    served.child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const requests = 200;
    const answers = await Promise.all(
      Array.from({ length: requests }, () => evaluate(served.url, prompt)),
    );
    expect(answers.every((answer) => answer.status === 200)).toBe(true);
    expect(await served.kill('SIGTERM')).toBe(0);
    // Every line parses: lines of two workers sharing stdout are not cut into each other.
    const lines = logLines(output);
    expect(lines.filter((line) => line.msg === 'request completed')).toHaveLength(requests);
    expect(lines.at(-1)?.msg).toBe('stopped: every worker finished');
  }, 180_000);
});
