/**
 * The writer and the verifier together (issue 11): real `policy-gateway serve` processes on a
 * PostgreSQL server write their chains and checkpoints, and `policy-gateway audit verify`, run
 * with the same settings, finds the trail intact — after a graceful stop (a final checkpoint),
 * and after a SIGKILL in the middle of load followed by a restart that seals the dead chain (no
 * false alarm, no gap) — and names the entry a superuser then alters.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '@policy-gateway/governance-runtime/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluate, runCli, startGateway } from './support/gateway-process.js';

let database: TestDatabase;
let env: Record<string, string>;
/** Where serve generates its signing key, shared by the three processes. */
let dataDir: string;

beforeAll(async () => {
  database = await createTestDatabase();
  dataDir = await mkdtemp(join(tmpdir(), 'policy-gateway-verify-e2e-'));
  env = {
    POLICY_GATEWAY_DATA_DIR: dataDir,
    POLICY_GATEWAY_AUDIT_STORE_BACKEND: 'postgres',
    POLICY_GATEWAY_DATABASE_URL: database.url,
    POLICY_GATEWAY_AUDIT_CHECKPOINT_EVERY_ENTRIES: '7',
  };
  const migrated = await runCli(['migrate'], env);
  expect(migrated.code, migrated.stdout + migrated.stderr).toBe(0);
}, 120_000);

afterAll(async () => {
  await database?.drop();
  if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
});

/** `count` decisions, four at a time (within POLICY_GATEWAY_EVAL_PER_CLIENT_LIMIT). */
async function decide(url: string, count: number): Promise<void> {
  for (let start = 0; start < count; start += 4) {
    await Promise.all(
      Array.from({ length: Math.min(4, count - start) }, (_, i) =>
        evaluate(url, { prompt: `hello ${start + i}`, user_id: `user-${i % 3}` }).then((answer) => {
          expect(answer.status).toBe(200);
        }),
      ),
    );
  }
}

describe('policy-gateway audit verify over what serve wrote', () => {
  it('finds the trail intact after a graceful stop, and after a SIGKILL and a restart', async () => {
    const first = await startGateway(env);
    await decide(first.url, 20);
    expect(await first.kill('SIGTERM')).toBe(0);
    const afterStop = await runCli(['audit', 'verify'], env);
    expect(afterStop.stdout).toMatch(/^checked 20 entries in 1 chain, \d+ checkpoints: intact\n$/);
    expect(afterStop.code).toBe(0);

    const second = await startGateway(env);
    // Killed with decisions in flight: some are answered, some never are.
    const inFlight = decide(second.url, 40).catch(() => undefined);
    await decide(second.url, 5);
    await second.kill('SIGKILL');
    await inFlight;
    // The next process seals the chain the killed one left; then it stops gracefully.
    const third = await startGateway(env);
    await decide(third.url, 5);
    expect(await third.kill('SIGTERM')).toBe(0);

    const afterKill = await runCli(['audit', 'verify'], env);
    expect(afterKill.stdout).toMatch(/ in 3 chains, \d+ checkpoints: intact\n$/);
    expect(afterKill.stdout).not.toContain('unsealed');
    expect(afterKill.code).toBe(0);
  }, 240_000);

  it('names an entry a superuser altered past the triggers', async () => {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      await client.query('set session_replication_role = replica');
      const { rows } = await client.query<{ id: string }>(
        `update audit_log_entries set decision = 'deny', user_id = 'someone-else'
          where id = (select id from audit_log_entries order by occurred_at limit 1 offset 3)
          returning id`,
      );
      const altered = rows[0]!.id;
      const result = await runCli(['audit', 'verify'], env);
      expect(result.code).toBe(1);
      expect(result.stdout).toContain(`NOT INTACT: altered: entry ${altered}`);
    } finally {
      await client.end();
    }
  }, 60_000);
});
