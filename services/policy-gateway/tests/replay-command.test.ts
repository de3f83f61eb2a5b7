/**
 * `policy-gateway replay` for CI pipelines, as a real process against a real PostgreSQL: it
 * prints the summary, exits 0 within the thresholds, 4 above one, 1 for a candidate that does
 * not compile, 2 for bad usage; and records the replay as run by the CLI.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  openPostgresAuditLogDatabase,
  PostgresAuditLogEntryRepository,
} from '@policy-gateway/governance-runtime/postgres';
import { createTestDatabase, type TestDatabase } from '@policy-gateway/governance-runtime/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEntry } from './support/audit-entry-fixture.js';
import { type GatewayEnv, runCli } from './support/gateway-process.js';
import { TIGHTENED_POLICY } from './support/tightened-policy.js';

let database: TestDatabase;
let env: GatewayEnv;
let candidateDir: string;

beforeAll(async () => {
  database = await createTestDatabase();
  env = { POLICY_GATEWAY_DATABASE_URL: database.url };
  const migrated = await runCli(['migrate'], env);
  expect(migrated.code, migrated.stderr).toBe(0);
  const db = openPostgresAuditLogDatabase({ connectionString: database.url, maxConnections: 1 });
  await new PostgresAuditLogEntryRepository(db).appendMany([
    auditEntry(1, { input: { prompt: 'hello', user_id: 'a', context: {} } }),
    auditEntry(2, { input: { prompt: 'a forbidden plan', user_id: 'a', context: {} } }),
    auditEntry(3, { input: { prompt: 'forbidden again', user_id: 'a', context: {} } }),
  ]);
  await db.destroy();
  candidateDir = mkdtempSync(join(tmpdir(), 'pgw-replay-cli-'));
  writeFileSync(join(candidateDir, 'candidate.rego'), TIGHTENED_POLICY);
}, 120_000);

afterAll(async () => {
  rmSync(candidateDir, { recursive: true, force: true });
  await database?.drop();
});

describe('policy-gateway replay', () => {
  it('prints the summary and exits 4 when allow->deny is above its threshold, 0 within it', async () => {
    const above = await runCli(
      ['replay', '--bundle', candidateDir, '--fail-on', 'allow->deny=1,deny->allow=0'],
      env,
    );
    expect(above.code, above.stderr).toBe(4);
    expect(above.stdout).toContain('allow->deny 2\n');
    expect(above.stdout).toContain('changed 2, unchanged 1\n');
    expect(above.stderr).toContain('2 decisions allow_to_deny is above the threshold of 1');
    const within = await runCli(
      [
        'replay',
        '--bundle',
        candidateDir,
        '--since',
        '2026-11-28T07:02:30Z',
        '--fail-on',
        'allow->deny=1',
      ],
      env,
    );
    expect(within.code, within.stderr).toBe(0);
    expect(within.stdout).toContain('allow->deny 1\n');
  }, 120_000);

  it('exits 1 with one line for a candidate that does not compile, 2 for bad usage', async () => {
    const broken = mkdtempSync(join(tmpdir(), 'pgw-replay-broken-'));
    try {
      writeFileSync(join(broken, 'bad.rego'), 'package x\n\nallow if {');
      const failed = await runCli(['replay', '--bundle', broken], env);
      expect(failed.code).toBe(1);
      // One line naming the failure; the compiler's message goes on to show the line at fault.
      expect(failed.stderr.split('\n')[0]).toMatch(
        /^policy-gateway: the candidate bundle cannot be used: .*bad\.rego:\d+:\d+/,
      );
    } finally {
      rmSync(broken, { recursive: true, force: true });
    }
    const usage = await runCli(['replay', '--bundle', candidateDir, '--fail-on', 'allow=1'], env);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('--fail-on takes allow->deny=N');
    expect((await runCli(['replay'], env)).code).toBe(2);
  }, 120_000);
});
