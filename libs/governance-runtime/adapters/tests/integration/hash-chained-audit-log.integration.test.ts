/**
 * The hash chain on the write path (`HashChainedAuditLog`) over every adapter: it passes the
 * repository contract, and the chain it leaves is whole (seqs 1…n, each entry linked to the
 * one before, each hash recomputed from the entry as read back) whatever happens meanwhile:
 * many concurrent appends, duplicates and invalid entries among them, a storage that refuses
 * some writes, and a PostgreSQL server that cuts the connections mid-load.
 */
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommitOutcomeResolver } from '../../../src/commit-outcome-resolver.js';
import { DuplicateAuditLogEntryError } from '../../../src/duplicate-audit-log-entry-error.js';
import { HashChainedAuditLog } from '../../../src/hash-chained-audit-log.js';
import { InvalidAuditLogEntryError } from '../../../src/invalid-audit-log-entry-error.js';
import { at, makeEntry } from '../../../testing/audit-log-entry-fixtures.js';
import {
  decoratedRepositoryHarness,
  memoryRepositoryHarness,
  pgliteRepositoryHarness,
  postgresServerRepositoryHarness,
} from '../../../testing/audit-log-entry-repository-harnesses.js';
import { allEntries, chainsOf, checkChain } from '../../../testing/chain-checks.js';
import { createTestDatabase, type TestDatabase } from '../../../testing/create-test-database.js';
import { describeAuditLogEntryRepositoryContract } from '../../../testing/describe-audit-log-entry-repository-contract.js';
import { migrateAuditLogToLatest } from '../../../testing/open-test-pglite.js';
import { MemoryAuditLogEntryRepository } from '../../memory/memory-audit-log-entry-repository.js';
import type { AuditLogDatabase } from '../../postgres/audit-log-database.js';
import { openPostgresAuditLogDatabase } from '../../postgres/open-postgres-audit-log-database.js';
import { PostgresAuditLogEntryRepository } from '../../postgres/postgres-audit-log-entry-repository.js';

const chained = { chains: true };
describeAuditLogEntryRepositoryContract(
  decoratedRepositoryHarness(
    memoryRepositoryHarness(),
    'HashChainedAuditLog',
    (inner) => new HashChainedAuditLog(inner),
    chained,
  ),
);
describeAuditLogEntryRepositoryContract(
  decoratedRepositoryHarness(
    pgliteRepositoryHarness(),
    'HashChainedAuditLog',
    (inner) => new HashChainedAuditLog(new CommitOutcomeResolver(inner, { settleMs: 0 })),
    chained,
  ),
);
describeAuditLogEntryRepositoryContract(
  decoratedRepositoryHarness(
    postgresServerRepositoryHarness(),
    'HashChainedAuditLog',
    (inner) => new HashChainedAuditLog(new CommitOutcomeResolver(inner, { settleMs: 1000 })),
    chained,
  ),
);

/** Appends all, returns what each settled to: 'ok' or the error. */
function settleAll(promises: readonly Promise<void>[]): Promise<unknown[]> {
  return Promise.all(
    promises.map((p) =>
      p.then(
        () => 'ok' as const,
        (error: unknown) => error,
      ),
    ),
  );
}

describe('HashChainedAuditLog in memory', () => {
  it('links 2,000 concurrent appends into one chain without a gap, in batches', async () => {
    const memory = new MemoryAuditLogEntryRepository({ maxEntries: 10_000 });
    let batches = 0;
    const chain = new HashChainedAuditLog(memory, {
      maxBatchEntries: 64,
      observer: {
        committed: () => {
          batches += 1;
        },
        closing: async () => undefined,
      },
    });
    const entries = Array.from({ length: 2000 }, (_, i) => makeEntry({ occurredAt: at(i % 50) }));
    await Promise.all(entries.map((e) => chain.append(e)));
    const stored = chainsOf(await allEntries(memory)).get(chain.chainId)!;
    const summary = checkChain(chain.chainId, stored);
    expect(summary.problems).toEqual([]);
    expect(summary.entries).toBe(2000);
    expect(chain.head).toEqual({ chainId: chain.chainId, seq: 2000, entryHash: summary.headHash });
    // Gathered into batches of at most 64: group commit, not one write per entry.
    expect(batches).toBeGreaterThanOrEqual(Math.ceil(2000 / 64));
    expect(batches).toBeLessThan(2000);
  });

  it('gives no seq to invalid entries and duplicates: the chain stays whole and they fail alone', async () => {
    const memory = new MemoryAuditLogEntryRepository({ maxEntries: 10_000 });
    const chain = new HashChainedAuditLog(memory);
    const first = makeEntry();
    await chain.append(first);
    const keyed = { userId: 'k', idempotencyKey: 'key', requestDigest: 'sha256:1' };
    const attempts = [
      ...Array.from({ length: 30 }, () => makeEntry()),
      makeEntry({ id: first.id }),
      makeEntry({ latencyMs: -1 }),
      makeEntry(keyed),
      makeEntry(keyed),
      ...Array.from({ length: 30 }, () => makeEntry()),
    ];
    const outcomes = await settleAll(attempts.map((e) => chain.append(e)));
    expect(outcomes.filter((o) => o === 'ok')).toHaveLength(61);
    expect(outcomes[30]).toBeInstanceOf(DuplicateAuditLogEntryError);
    expect(outcomes[31]).toBeInstanceOf(InvalidAuditLogEntryError);
    expect(
      outcomes.slice(32, 34).filter((o) => o instanceof DuplicateAuditLogEntryError),
    ).toHaveLength(1);
    const summary = checkChain(
      chain.chainId,
      chainsOf(await allEntries(memory)).get(chain.chainId)!,
    );
    expect(summary.problems).toEqual([]);
    expect(summary.entries).toBe(62);
  });

  it('refuses appends once closed, after committing those already made', async () => {
    const memory = new MemoryAuditLogEntryRepository();
    const chain = new HashChainedAuditLog(memory);
    const pending = Array.from({ length: 10 }, () => chain.append(makeEntry()));
    const closing = chain.close();
    await Promise.all(pending);
    await closing;
    await expect(chain.append(makeEntry())).rejects.toThrow(/closed/);
  });
});

describe('HashChainedAuditLog on a PostgreSQL server', () => {
  let database: TestDatabase;
  let db: Kysely<AuditLogDatabase>;

  beforeAll(async () => {
    database = await createTestDatabase();
    db = openPostgresAuditLogDatabase({
      connectionString: database.url,
      maxConnections: 6,
      statementTimeoutMs: 2000,
      applicationName: 'chain-under-test',
    });
    await migrateAuditLogToLatest(db);
  });
  afterAll(async () => {
    await db?.destroy();
    await database?.drop();
  });

  function openChain(): HashChainedAuditLog {
    const storage = new PostgresAuditLogEntryRepository(db);
    return new HashChainedAuditLog(new CommitOutcomeResolver(storage, { settleMs: 3000 }), {
      settleMs: 3000,
    });
  }

  async function chainOf(chain: HashChainedAuditLog) {
    const entries = await allEntries(new PostgresAuditLogEntryRepository(db));
    return checkChain(chain.chainId, chainsOf(entries).get(chain.chainId) ?? []);
  }

  it('links concurrent appends from two writers (two replicas) into two whole chains', async () => {
    const [a, b] = [openChain(), openChain()];
    const work = Array.from({ length: 600 }, (_, i) => (i % 2 === 0 ? a : b).append(makeEntry()));
    await Promise.all(work);
    for (const chain of [a, b]) {
      const summary = await chainOf(chain);
      expect(summary.problems).toEqual([]);
      expect(summary.entries).toBe(300);
    }
  });

  it('leaves no gap when the storage refuses some writes: only the requests of those entries fail', async () => {
    const chain = openChain();
    await chain.append(makeEntry());
    await sql`alter table audit_log_entries add constraint refuse_mallory check (user_id <> 'mallory') not valid`.execute(
      db,
    );
    try {
      const attempts = Array.from({ length: 200 }, (_, i) =>
        makeEntry({ userId: i % 10 === 3 ? 'mallory' : `user-${i}` }),
      );
      const outcomes = await settleAll(attempts.map((e) => chain.append(e)));
      // A refused write fails its whole batch; what the others of that batch then get is the
      // same error, never a gap. Every entry that succeeded is in the chain, none that failed.
      const committed = new Set(attempts.filter((_, i) => outcomes[i] === 'ok').map((e) => e.id));
      attempts.forEach((e, i) => {
        if (e.userId === 'mallory') expect(outcomes[i]).toBeInstanceOf(Error);
      });
      const summary = await chainOf(chain);
      expect(summary.problems).toEqual([]);
      const stored = chainsOf(await allEntries(new PostgresAuditLogEntryRepository(db))).get(
        chain.chainId,
      )!;
      expect(
        stored
          .slice(1)
          .map((e) => e.id)
          .sort(),
      ).toEqual([...committed].sort());
      // Writes resume on the same chain once the storage accepts them again.
    } finally {
      await sql`alter table audit_log_entries drop constraint refuse_mallory`.execute(db);
    }
    await chain.append(makeEntry());
    expect((await chainOf(chain)).problems).toEqual([]);
  });

  it('leaves no gap when the server cuts every connection mid-load: failed requests only, and the chain goes on', async () => {
    const chain = openChain();
    const attempts = Array.from({ length: 400 }, () => makeEntry());
    const appends: Promise<void>[] = [];
    for (const [i, entry] of attempts.entries()) {
      appends.push(chain.append(entry));
      if (i === 150) {
        // Another session ends this pool's connections while batches are in flight.
        const killer = openPostgresAuditLogDatabase({
          connectionString: database.url,
          maxConnections: 1,
        });
        await sql`select pg_terminate_backend(pid) from pg_stat_activity
                  where application_name = 'chain-under-test' and pid <> pg_backend_pid()`.execute(
          killer,
        );
        await killer.destroy();
      }
      if (i % 25 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    const outcomes = await settleAll(appends);
    const ok = outcomes.filter((o) => o === 'ok').length;
    await chain.append(makeEntry());
    const summary = await chainOf(chain);
    expect(summary.problems).toEqual([]);
    // Every entry whose append resolved is in the chain; those that failed may or may not be
    // (a commit whose answer was lost), but the chain has no hole either way.
    const storedIds = new Set(
      chainsOf(await allEntries(new PostgresAuditLogEntryRepository(db)))
        .get(chain.chainId)!
        .map((e) => e.id),
    );
    attempts.forEach((e, i) => {
      if (outcomes[i] === 'ok') expect(storedIds.has(e.id)).toBe(true);
    });
    expect(summary.entries).toBeGreaterThanOrEqual(ok + 1);
  });
});
