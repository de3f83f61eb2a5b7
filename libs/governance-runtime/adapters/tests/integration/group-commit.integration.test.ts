/**
 * Group commit on the hash chain's write path (issue 12), on PGlite and on a PostgreSQL
 * server: concurrent appends share transactions (counted below the chain, the storage being
 * real), each caller is answered only once its own entry is committed, the queue refuses at
 * once beyond its bound without writing anything of the refused entries, and a batch the
 * database refuses fails exactly its own callers; the chain stays whole (seqs 1…n) through
 * all of it. What watches the write path is told of each batch and can read the queue depth.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppendManyOptions } from '../../../src/append-many-options.js';
import type { AppendManyResult } from '../../../src/append-many-result.js';
import type { AuditLogEntry } from '../../../src/audit-log-entry.js';
import { AuditLogEntryRepositoryDecorator } from '../../../src/audit-log-entry-repository-decorator.js';
import type { AuditBatchWritten } from '../../../src/audit-write-observer.js';
import { AuditWriteQueueFullError } from '../../../src/audit-write-queue-full-error.js';
import { CommitOutcomeResolver } from '../../../src/commit-outcome-resolver.js';
import type { GroupCommitOptions } from '../../../src/group-commit-queue.js';
import { HashChainedAuditLog } from '../../../src/hash-chained-audit-log.js';
import { makeEntry } from '../../../testing/audit-log-entry-fixtures.js';
import type { AuditLogEntryRepositoryHarness } from '../../../testing/audit-log-entry-repository-harness.js';
import {
  pgliteRepositoryHarness,
  postgresServerRepositoryHarness,
} from '../../../testing/audit-log-entry-repository-harnesses.js';
import { allEntries, chainsOf, checkChain } from '../../../testing/chain-checks.js';
import { MemoryAuditLogEntryRepository } from '../../memory/memory-audit-log-entry-repository.js';

/**
 * Real storage underneath; counts the transactions (`appendMany` calls: one each in the
 * PostgreSQL adapter) and can hold them back, as a storage that is slow to commit would.
 */
class CountedStorage extends AuditLogEntryRepositoryDecorator {
  transactions = 0;
  #gate: Promise<void> = Promise.resolve();
  #open: () => void = () => undefined;

  hold(): void {
    this.#gate = new Promise((resolve) => {
      this.#open = resolve;
    });
  }

  release(): void {
    this.#open();
  }

  override async appendMany(
    entries: readonly AuditLogEntry[],
    options?: AppendManyOptions,
  ): Promise<AppendManyResult> {
    await this.#gate;
    this.transactions += 1;
    return super.appendMany(entries, options);
  }
}

type Outcome = 'ok' | Error;

/** What each append settled to, in order. */
function outcomesOf(appends: readonly Promise<void>[]): Promise<Outcome[]> {
  return Promise.all(
    appends.map((p) =>
      p.then(
        () => 'ok' as const,
        (error: Error) => error,
      ),
    ),
  );
}

const settled = () => new Promise((resolve) => setTimeout(resolve, 20));

describe.each([
  ['PGlite', pgliteRepositoryHarness()],
  ['a PostgreSQL server', postgresServerRepositoryHarness()],
] as const)('group commit on %s', (_name, harness: AuditLogEntryRepositoryHarness) => {
  beforeAll(async () => harness.setUp?.());
  afterAll(async () => harness.tearDown?.());

  async function open(options: GroupCommitOptions) {
    const base = await harness.open();
    const storage = new CountedStorage(base);
    const chain = new HashChainedAuditLog(new CommitOutcomeResolver(storage, { settleMs: 0 }), {
      ...options,
    });
    const chainOf = async () =>
      checkChain(chain.chainId, chainsOf(await allEntries(base)).get(chain.chainId) ?? []);
    return { base, storage, chain, chainOf };
  }

  it('commits 300 concurrent appends in 5 transactions of at most 64, answering each caller once its own entry is stored', async () => {
    const { base, storage, chain, chainOf } = await open({ maxBatchEntries: 64 });
    const entries = Array.from({ length: 300 }, () => makeEntry());
    // Each caller, when answered, finds its entry already in the database.
    const seenWhenAnswered = await Promise.all(
      entries.map((entry) => chain.append(entry).then(() => base.findById(entry.id))),
    );
    expect(seenWhenAnswered.every((found) => found !== undefined)).toBe(true);
    expect(storage.transactions).toBe(5);
    const summary = await chainOf();
    expect(summary.problems).toEqual([]);
    expect(summary.seqs).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    await chain.close();
  });

  it('refuses appends beyond the queue bound at once with AuditWriteQueueFullError, and writes none of them', async () => {
    const { base, storage, chain, chainOf } = await open({
      maxBatchEntries: 10,
      maxQueuedEntries: 20,
    });
    storage.hold();
    const first = chain.append(makeEntry());
    await settled(); // the first batch is being written (held)
    const entries = Array.from({ length: 30 }, () => makeEntry());
    const appends = entries.map((entry) => chain.append(entry));
    expect(chain.queuedEntries).toBe(20);
    // The refused are answered while the storage still holds the batch in flight.
    const early = await Promise.race([outcomesOf(appends.slice(20)), settled().then(() => [])]);
    expect(early).toHaveLength(10);
    for (const outcome of early) {
      expect(outcome).toBeInstanceOf(AuditWriteQueueFullError);
      expect((outcome as AuditWriteQueueFullError).message).toMatch(/limit is 20/);
    }
    storage.release();
    await first;
    const outcomes = await outcomesOf(appends);
    expect(outcomes.slice(0, 20)).toEqual(Array(20).fill('ok'));
    for (const entry of entries.slice(20)) expect(await base.findById(entry.id)).toBeUndefined();
    const summary = await chainOf();
    expect(summary.problems).toEqual([]);
    expect(summary.entries).toBe(21);
    await chain.close();
  });

  it('fails exactly the callers of a batch the database refuses; the other batches commit and the chain has no gap', async () => {
    const { base, chain, chainOf } = await open({ maxBatchEntries: 10 });
    await chain.append(makeEntry());
    await harness.failWritesOf!('mallory');
    // Queued in one task: batches of 10 in order; the second holds the refused entry.
    const entries = Array.from({ length: 40 }, (_, i) =>
      makeEntry({ userId: i === 15 ? 'mallory' : `user-${i}` }),
    );
    const outcomes = await outcomesOf(entries.map((entry) => chain.append(entry)));
    outcomes.forEach((outcome, i) => {
      if (i >= 10 && i < 20) expect(outcome, `entry ${i}`).toBeInstanceOf(Error);
      else expect(outcome, `entry ${i}`).toBe('ok');
    });
    for (const entry of entries.slice(10, 20))
      expect(await base.findById(entry.id)).toBeUndefined();
    const summary = await chainOf();
    expect(summary.problems).toEqual([]);
    expect(summary.seqs).toEqual(Array.from({ length: 31 }, (_, i) => i + 1));
    await chain.close();
  });
});

describe('group commit delay', () => {
  async function batchesOf(options: GroupCommitOptions): Promise<number> {
    const storage = new CountedStorage(new MemoryAuditLogEntryRepository({ maxEntries: 100 }));
    const chain = new HashChainedAuditLog(storage, options);
    const appends: Promise<void>[] = [];
    for (let i = 0; i < 5; i += 1) {
      appends.push(chain.append(makeEntry()));
      await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(appends);
    return storage.transactions;
  }

  it('writes each append of an idle queue at once with no delay', async () => {
    expect(await batchesOf({ maxDelayMs: 0 })).toBe(5);
  });

  it('lets appends of later tasks join the first batch within the delay', async () => {
    expect(await batchesOf({ maxDelayMs: 1000 })).toBe(1);
  });

  it('writes a full batch without waiting out the delay', async () => {
    const storage = new CountedStorage(new MemoryAuditLogEntryRepository({ maxEntries: 100 }));
    const chain = new HashChainedAuditLog(storage, { maxDelayMs: 60_000, maxBatchEntries: 3 });
    const started = performance.now();
    await Promise.all([1, 2, 3].map(() => chain.append(makeEntry())));
    expect(performance.now() - started).toBeLessThan(30_000);
    expect(storage.transactions).toBe(1);
  });
});

describe('HashChainedAuditLog write observer', () => {
  it('tells the observer of each batch written and shows the entries still queued', async () => {
    const memory = new MemoryAuditLogEntryRepository({ maxEntries: 10_000 });
    const batches: AuditBatchWritten[] = [];
    const depths: number[] = [];
    const chain = new HashChainedAuditLog(memory, {
      maxBatchEntries: 50,
      writeObserver: {
        batchWritten: (batch) => {
          batches.push(batch);
          depths.push(chain.queuedEntries);
        },
      },
    });
    const appends = Array.from({ length: 200 }, () => chain.append(makeEntry()));
    expect(chain.queuedEntries).toBe(200);
    await Promise.all(appends);
    expect(chain.queuedEntries).toBe(0);
    expect(batches.map((b) => b.entries)).toEqual([50, 50, 50, 50]);
    expect(batches.every((b) => !b.failed && b.durationMs >= 0)).toBe(true);
    // Seen after each batch: what was still waiting for the next ones.
    expect(depths).toEqual([150, 100, 50, 0]);
  });

  it('reports a batch the storage failed as failed', async () => {
    const memory = new MemoryAuditLogEntryRepository({ maxEntries: 10_000 });
    const batches: AuditBatchWritten[] = [];
    const chain = new HashChainedAuditLog(memory, {
      writeObserver: { batchWritten: (batch) => batches.push(batch) },
    });
    await chain.append(makeEntry());
    await memory.close();
    await expect(chain.append(makeEntry())).rejects.toThrow();
    expect(batches.map((b) => b.failed)).toEqual([false, true]);
  });
});
