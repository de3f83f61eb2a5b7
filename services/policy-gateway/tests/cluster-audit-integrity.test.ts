/**
 * The trail's integrity in a real cluster on the memory store (issue 11): `serve` with two
 * worker processes verifies the one trail the primary keeps on its schedule, in worker 1 only,
 * and either worker answers `GET /governance/audit/integrity` with that same verification
 * (the other relays through the primary): both workers' chains, intact.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditIntegrity } from '@policy-gateway/gateway-contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluate, startGateway } from './support/gateway-process.js';

let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'policy-gateway-cluster-integrity-'));
});

afterAll(async () => {
  if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
});

async function integrity(url: string): Promise<AuditIntegrity> {
  const response = await fetch(`${url}/governance/audit/integrity`);
  expect(response.status).toBe(200);
  return (await response.json()) as AuditIntegrity;
}

describe('serve with two workers on the memory store', () => {
  it('verifies the shared trail in one worker on its schedule, and every worker reports it', async () => {
    const gateway = await startGateway({
      POLICY_GATEWAY_DATA_DIR: dataDir,
      POLICY_GATEWAY_AUDIT_STORE_BACKEND: 'memory',
      POLICY_GATEWAY_WORKERS: '2',
      POLICY_GATEWAY_AUDIT_VERIFY_INTERVAL_SECONDS: '1',
      POLICY_GATEWAY_AUDIT_CHECKPOINT_EVERY_ENTRIES: '3',
    });
    try {
      const deadline = Date.now() + 90_000;
      while (!/serving from 2 worker processes/.test(gateway.output())) {
        if (Date.now() > deadline) throw new Error(gateway.output());
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      // Enough decisions, a few at a time, that both workers take some (round-robin).
      for (let i = 0; i < 16; i += 4) {
        const answers = await Promise.all(
          Array.from({ length: 4 }, (_, j) =>
            evaluate(gateway.url, { prompt: `hello ${i + j}`, user_id: 'cluster' }),
          ),
        );
        for (const answer of answers) expect(answer.status).toBe(200);
      }
      let report: AuditIntegrity;
      for (;;) {
        report = await integrity(gateway.url);
        if (report.last !== null && report.last.entries_checked >= 16) break;
        if (Date.now() > deadline) throw new Error(JSON.stringify(report));
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      expect(report.last).toMatchObject({ intact: true, chains: 2 });
      expect(report.schedule).toMatchObject({ interval_seconds: 1 });
      // Several reads, over both workers: each answers with the one verifier's result.
      const seen = await Promise.all(Array.from({ length: 6 }, () => integrity(gateway.url)));
      for (const other of seen) expect(other.last?.intact).toBe(true);
      const verifiers = new Set(
        gateway
          .output()
          .split('\n')
          .filter((line) => line.includes('audit trail verified'))
          .map((line) => (JSON.parse(line) as { instance: string }).instance),
      );
      expect([...verifiers]).toHaveLength(1);
      expect([...verifiers][0]).toMatch(/\/1$/);
    } finally {
      expect(await gateway.kill('SIGTERM')).toBe(0);
    }
  }, 240_000);
});
