/**
 * `serve`'s maintenance rolls the entries the trigger left pending into the stats roll-ups on
 * its own schedule (migration 024): on PGlite, as the embedded store runs it, entries written
 * through the repository are moved out of `audit_stats_pending` within a few rounds, counted
 * once each, and stopping the maintenance waits for a roll-up in progress.
 */
import { generateAuditSigningKey } from '@policy-gateway/governance-runtime';
import {
  PostgresAuditLogEntryRepository,
  PostgresAuditStatsReader,
} from '@policy-gateway/governance-runtime/postgres';
import {
  makeEntry,
  openTestPglite,
  type TestPglite,
} from '@policy-gateway/governance-runtime/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuditMaintenance } from '../src/store/audit-maintenance.js';

const silent = { info() {}, warn() {}, error() {} };

describe('the stats roll-up schedule of serve', () => {
  let pglite: TestPglite;

  beforeAll(async () => {
    pglite = await openTestPglite();
  }, 120_000);
  afterAll(async () => {
    await pglite?.remove();
  });

  const pending = async () => {
    const { rows } = await sql<{ n: number | string }>`
      select count(*) as n from audit_stats_pending`.execute(pglite.db);
    return Number(rows[0]!.n);
  };
  const rolledUp = async () => {
    const { rows } = await sql<{ n: number | string | null }>`
      select sum(entries) as n from audit_stats_decisions`.execute(pglite.db);
    return Number(rows[0]!.n ?? 0);
  };

  it('moves what is pending into the roll-ups, each entry once', async () => {
    const repository = new PostgresAuditLogEntryRepository(pglite.db);
    const at = '2026-12-06T10:00:00.000000Z';
    await repository.appendMany(
      Array.from({ length: 40 }, (_, i) =>
        makeEntry({ occurredAt: at, decision: i % 4 === 0 ? 'deny' : 'allow' }),
      ),
    );
    expect(await pending()).toBe(40);
    const reader = new PostgresAuditStatsReader(pglite.db);
    const query = { since: '2026-12-06T00:00:00Z', until: '2026-12-07T00:00:00Z' } as const;
    const before = await reader.stats(query);
    expect(before.totals).toEqual({ allow: 30, deny: 10, error: 0 });

    const maintenance = startAuditMaintenance(pglite.db, {
      retentionDays: undefined,
      accessLogRetentionDays: undefined,
      signingKey: generateAuditSigningKey().key,
      instance: 'test',
      log: silent,
      statsRollupEveryMs: 20,
    });
    try {
      const deadline = Date.now() + 10_000;
      while ((await pending()) > 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(await pending()).toBe(0);
      expect(await rolledUp()).toBe(40);
      await repository.append(makeEntry({ occurredAt: at, decision: 'error' }));
      while ((await pending()) > 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(await rolledUp()).toBe(41);
    } finally {
      await maintenance.stop();
    }
    expect((await reader.stats(query)).totals).toEqual({ allow: 30, deny: 10, error: 1 });
  });
});
