/**
 * `policy-gateway retention apply` as operators run it, against a database on the test server:
 * each table's period comes from its own setting (the access log's defaulting to the audit
 * entries'), a table with no period is left whole, and a bad period is refused in one line.
 * What an expired partition's removal records is tested in the library
 * (`access-log-partitioning.integration.test.ts`, `audit-retention.integration.test.ts`).
 */
import { createTestDatabase, type TestDatabase } from '@policy-gateway/governance-runtime/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/gateway-process.js';

describe('policy-gateway retention apply', () => {
  let database: TestDatabase;
  let env: Record<string, string>;

  beforeAll(async () => {
    database = await createTestDatabase();
    env = { POLICY_GATEWAY_DATABASE_URL: database.url };
    const migrate = await runCli(['migrate'], env);
    expect(migrate.code).toBe(0);
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('removes nothing and says so when neither table has a period', async () => {
    const run = await runCli(['retention', 'apply'], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('retention is off');
  });

  it("applies the access log's own period alone, leaving the audit entries whole", async () => {
    const run = await runCli(['retention', 'apply', '--dry-run'], {
      ...env,
      POLICY_GATEWAY_ACCESS_LOG_RETENTION_DAYS: '30',
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/retention of access_log_records: partitions wholly before \S+Z/);
    expect(run.stdout).not.toContain('retention of audit_log_entries');
    expect(run.stdout).toContain('nothing has expired');
  });

  it("gives the access log the audit entries' period when it has none of its own", async () => {
    const run = await runCli(['retention', 'apply', '--dry-run'], {
      ...env,
      POLICY_GATEWAY_AUDIT_RETENTION_DAYS: '365',
    });
    expect(run.code).toBe(0);
    const horizons = [
      ...run.stdout.matchAll(/retention of (\w+): partitions wholly before (\S+)/g),
    ];
    expect(horizons.map((m) => m[1]).sort()).toEqual(['access_log_records', 'audit_log_entries']);
    expect(new Set(horizons.map((m) => m[2])).size).toBe(1);
  });

  it('refuses a period that is not a positive number of days, in one line', async () => {
    const run = await runCli(['retention', 'apply'], {
      ...env,
      POLICY_GATEWAY_ACCESS_LOG_RETENTION_DAYS: '0',
    });
    expect(run.code).not.toBe(0);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain('POLICY_GATEWAY_ACCESS_LOG_RETENTION_DAYS');
  });
});
