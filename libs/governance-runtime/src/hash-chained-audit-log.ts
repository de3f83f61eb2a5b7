/**
 * The hash chain on the audit write path (tamper evidence): a decorator that gives every
 * entry it commits its place in this process's chain (`AuditChainLink`: chain id, seq without
 * gaps, the previous entry's hash, its own hash by `auditEntryHash`) before the storage
 * stores it.
 *
 * Concurrent appends are gathered into batches by a `GroupCommitQueue` (group commit, issue
 * 12): one batch in flight per chain, flushed when full or after `maxDelayMs`, the queue
 * bounded by `maxQueuedEntries` (beyond it `append` fails at once with
 * `AuditWriteQueueFullError`, nothing written). A batch gets consecutive seqs after the head
 * and is written with an all-or-nothing `appendMany` (`atomic`), so a chain never has a gap.
 *
 * Why batching lives in this decorator rather than in a `GroupCommitAuditLog` of its own:
 * seqs and the previous hash can only be given to a batch once the batch before it is known
 * to have committed (a failed batch's seqs are used again), so the chain needs to see batches
 * form and end. Below the chain, a batching decorator would receive entries already chained
 * on a head that a failing batch ahead of them might never commit (a gap); above it, the
 * chain would still have to hold its own one-batch-in-flight queue, and the callers would
 * wait in two. So the queue is a part the chain owns (`group-commit-queue.ts`), and the chain
 * decides what a batch is; the storage below sees one `appendMany` per batch.
 *
 * How each outcome keeps the chain whole:
 * - an invalid entry is refused before it gets a seq;
 * - a duplicate (id, or idempotency key already held) refuses the whole batch; its caller
 *   gets its duplicate error and the other entries are chained again and retried at once;
 * - when the storage fails, nothing was committed: every caller of the batch gets the error,
 *   and the seqs are used again by the next batch;
 * - when whether the batch committed is unknown (`CommitOutcomeUnknownError`, left so by a
 *   `CommitOutcomeResolver` below), its callers get that error, and before the next batch the
 *   decorator reads the batch's first entry back to learn the head (committed or not, as
 *   all-or-nothing makes it one answer); until it knows, later batches fail with the
 *   storage's error, never on a guessed head.
 * Every caller is answered only once its entry is committed (fail-closed).
 *
 * @example
 * const chained = new HashChainedAuditLog(new CommitOutcomeResolver(storage, { settleMs }), {
 *   observer: checkpointer,
 * });
 * await chained.append(entry); // stored with entry.chain = { chainId, seq, prevHash, entryHash }
 */
import { randomUUID } from 'node:crypto';
import type { AppendManyOptions } from './append-many-options.js';
import type { AppendManyResult, AppendOutcome } from './append-many-result.js';
import { AtomicBatchRefusedError } from './atomic-batch-refused-error.js';
import type { AuditChainLink } from './audit-chain-link.js';
import { auditEntryHash, chainGenesisHash } from './audit-entry-hash.js';
import type { AuditLogEntry } from './audit-log-entry.js';
import type { AuditLogEntryRepository } from './audit-log-entry-repository.js';
import { AuditLogEntryRepositoryDecorator } from './audit-log-entry-repository-decorator.js';
import type { AuditWriteObserver } from './audit-write-observer.js';
import { AuditWriteQueueFullError } from './audit-write-queue-full-error.js';
import type { ChainHead, ChainHeadObserver } from './chain-head.js';
import { CommitOutcomeUnknownError } from './commit-outcome-unknown-error.js';
import { DuplicateIdempotencyKeyError } from './duplicate-idempotency-key-error.js';
import {
  type GroupCommitOptions,
  GroupCommitQueue,
  type QueuedWrite,
} from './group-commit-queue.js';
import { markStorable } from './known-storable-entries.js';
import { PreparedAuditLogBatch } from './prepared-audit-log-batch.js';
import { toStorableAuditLogEntry } from './storable-audit-log-entry.js';

/** Batching (`GroupCommitOptions`: batch size, delay, queue bound) and the chain's own. */
export interface HashChainedAuditLogOptions extends GroupCommitOptions {
  /** The chain's id; a random UUID by default (one chain per process run). */
  readonly chainId?: string;
  /**
   * How long after a batch began the storage may still commit it, in ms (as for
   * `CommitOutcomeResolver`): a batch whose outcome was unknown and whose first entry cannot be
   * read back after this long was not committed. Default 0.
   */
  readonly settleMs?: number;
  readonly observer?: ChainHeadObserver;
  /** Told of every batch written to the storage (metrics: batch size, commit latency). */
  readonly writeObserver?: AuditWriteObserver;
}

/** One caller's entries (one for `append`, several for an all-or-nothing `appendMany`). */
interface Pending extends QueuedWrite {
  readonly entries: readonly AuditLogEntry[];
  /** All or nothing: when one of the entries cannot be stored, none is. */
  readonly whole: boolean;
  /** Settled with one outcome per entry, in order. */
  settle(outcomes: readonly AppendOutcome[]): void;
}

/** A written batch whose outcome is unknown: its first entry tells. */
interface Unresolved {
  readonly firstId: string;
  readonly began: number;
  /** The head if it committed. */
  readonly head: ChainHead;
  readonly committed: number;
}

export class ChainClosedError extends Error {
  override readonly name = 'ChainClosedError';
  constructor() {
    super('the audit hash chain is closed');
  }
}

export class HashChainedAuditLog extends AuditLogEntryRepositoryDecorator {
  readonly chainId: string;
  readonly #settleMs: number;
  readonly #observer: ChainHeadObserver | undefined;
  readonly #writeObserver: AuditWriteObserver | undefined;
  #head: ChainHead;
  readonly #queue: GroupCommitQueue<Pending>;
  #unresolved: Unresolved | undefined;
  #closed = false;

  constructor(inner: AuditLogEntryRepository, options: HashChainedAuditLogOptions = {}) {
    super(inner);
    this.chainId = (options.chainId ?? randomUUID()).toLowerCase();
    this.#queue = new GroupCommitQueue((batch) => this.#writeBatch(batch), options);
    this.#settleMs = options.settleMs ?? 0;
    this.#observer = options.observer;
    this.#writeObserver = options.writeObserver;
    this.#head = { chainId: this.chainId, seq: 0, entryHash: chainGenesisHash(this.chainId) };
  }

  /** The last entry this chain committed (seq 0 before the first). */
  get head(): ChainHead {
    return this.#head;
  }

  /** Entries waiting for a batch (not counting the batch being written): the queue depth. */
  get queuedEntries(): number {
    return this.#queue.queuedEntries;
  }

  override async append(entry: AuditLogEntry): Promise<void> {
    const [outcome] = await this.#enqueue([toStorableAuditLogEntry(entry)], true);
    if (outcome === undefined || outcome.status === 'committed') return;
    throw outcome.error;
  }

  /**
   * The caller's batch goes into one of the chain's batches whole, so that a storage failure
   * commits none of it, as the port promises. Its duplicates are set aside and the rest is
   * committed, unless `atomic` asks for all or nothing.
   */
  override async appendMany(
    entries: readonly AuditLogEntry[],
    options: AppendManyOptions = {},
  ): Promise<AppendManyResult> {
    const prepared = new PreparedAuditLogBatch(entries);
    if (options.atomic === true) {
      if (!prepared.storableWhole) return prepared.refused();
      const outcomes = await this.#enqueue(prepared.storable, true);
      return toResult(outcomes.map((o, index) => ({ ...o, id: entries[index]!.id })));
    }
    if (prepared.storable.length === 0) return prepared.committed(new Set());
    const outcomes = await this.#enqueue(prepared.storable, false);
    const failed = outcomes.find((o) => o.status === 'failed');
    if (failed !== undefined) return prepared.failed(failed.error);
    const inserted = new Set<string>();
    const keyTaken = new Set<string>();
    for (const outcome of outcomes) {
      if (outcome.status === 'committed') inserted.add(outcome.id);
      else if (outcome.error instanceof DuplicateIdempotencyKeyError) keyTaken.add(outcome.id);
    }
    return prepared.committed(inserted, keyTaken);
  }

  /** Waits for the batches in flight and queued, tells the observer, then closes the storage. */
  override async close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      await this.#queue.drained();
      await this.#observer?.closing(this.#head);
    }
    await super.close();
  }

  /**
   * Queues one caller's entries (storable) for the next batch, all in the same batch. `whole`:
   * if one cannot be stored, none is; otherwise its duplicates are settled and the rest retried.
   */
  #enqueue(entries: readonly AuditLogEntry[], whole: boolean): Promise<readonly AppendOutcome[]> {
    if (this.#closed) return Promise.resolve(failedAll(entries, new ChainClosedError()));
    return new Promise((settle) => {
      if (this.#queue.enqueue({ entries, size: entries.length, whole, settle })) return;
      const { queuedEntries, maxQueuedEntries } = this.#queue;
      settle(failedAll(entries, new AuditWriteQueueFullError(queuedEntries, maxQueuedEntries)));
    });
  }

  /** One batch of the queue, written whole; its callers are all answered when it resolves. */
  async #writeBatch(batch: readonly Pending[]): Promise<void> {
    try {
      await this.#write(batch);
    } catch (error) {
      // Not expected (the storage reports failures in its result): fail the batch, not the chain.
      settleAll(batch, error);
    }
  }

  /** Writes the callers' entries as one chained batch, retrying without any duplicates. */
  async #write(batch: readonly Pending[]): Promise<void> {
    let pending = [...batch];
    if (!(await this.#resolveHead(pending))) return;
    while (pending.length > 0) {
      const began = performance.now();
      const entries = pending.flatMap((p) => p.entries);
      const chained = this.#chain(entries);
      const result = await this.inner.appendMany(chained, { atomic: true });
      this.#writeObserver?.batchWritten({
        entries: chained.length,
        durationMs: performance.now() - began,
        failed: result.error !== undefined,
      });
      if (result.error === undefined) {
        this.#advance(chained, entries.length);
        let at = 0;
        for (const p of pending) {
          p.settle(result.results.slice(at, at + p.entries.length));
          at += p.entries.length;
        }
        return;
      }
      if (result.error instanceof AtomicBatchRefusedError) {
        // Settle the entries that cannot be stored; chain the others again, seqs reused.
        const retry: Pending[] = [];
        let at = 0;
        for (const p of pending) {
          const outcomes = result.results.slice(at, at + p.entries.length);
          at += p.entries.length;
          const refused = outcomes.some((o) => o.status === 'duplicate' || o.status === 'invalid');
          if (!refused) retry.push(p);
          else if (p.whole) p.settle(outcomes);
          else {
            const rest = retryInnocent(p, outcomes);
            if (rest !== undefined) retry.push(rest);
          }
        }
        pending = retry;
        continue;
      }
      if (result.error instanceof CommitOutcomeUnknownError) {
        const last = chained[chained.length - 1]!.chain!;
        this.#unresolved = {
          firstId: chained[0]!.id,
          began,
          head: { chainId: this.chainId, seq: last.seq, entryHash: last.entryHash },
          committed: chained.length,
        };
        for (const p of pending) {
          p.settle(
            p.entries.map((e) => ({
              id: e.id,
              status: 'failed',
              error: new CommitOutcomeUnknownError(e.id, { cause: result.error }),
            })),
          );
        }
        return;
      }
      settleAll(pending, result.error);
      return;
    }
  }

  /**
   * Whether the head is known: after a batch whose outcome was unknown, reads its first entry
   * back. When that cannot tell yet, the batch fails with the reason (nothing written).
   */
  async #resolveHead(batch: readonly Pending[]): Promise<boolean> {
    const unresolved = this.#unresolved;
    if (unresolved === undefined) return true;
    const readAt = performance.now();
    let found: AuditLogEntry | undefined;
    try {
      found = await this.inner.findById(unresolved.firstId);
    } catch (error) {
      settleAll(batch, error);
      return false;
    }
    if (found !== undefined) {
      this.#unresolved = undefined;
      this.#head = unresolved.head;
      this.#observer?.committed(this.#head, unresolved.committed);
      return true;
    }
    if (readAt >= unresolved.began + this.#settleMs) {
      this.#unresolved = undefined;
      return true;
    }
    settleAll(
      batch,
      new Error(
        'the audit chain head is not known yet (the previous batch may still commit); retry',
      ),
    );
    return false;
  }

  /** The entries with their links, from the head on. */
  #chain(entries: readonly AuditLogEntry[]): AuditLogEntry[] {
    const { chainId } = this;
    let { seq, entryHash: prevHash } = this.#head;
    return entries.map((entry) => {
      seq += 1;
      const entryHash = auditEntryHash(entry, { chainId, seq, prevHash });
      const link: AuditChainLink = { chainId, seq, prevHash, entryHash };
      prevHash = entryHash;
      // The link first: V8 copies an object spread at the start of a literal through its fast
      // clone, but a member written after the spread costs ten times as much (about 4 µs per
      // entry here, a tenth of what the chain added to a decision). An entry that came with a
      // link of its own has it replaced.
      return markStorable(
        entry.chain === undefined ? { chain: link, ...entry } : { ...entry, chain: link },
      );
    });
  }

  #advance(chained: readonly AuditLogEntry[], committed: number): void {
    const last = chained[chained.length - 1]!.chain!;
    this.#head = { chainId: this.chainId, seq: last.seq, entryHash: last.entryHash };
    this.#observer?.committed(this.#head, committed);
  }
}

/**
 * The part of a caller's entries (not `whole`) still to write after its batch was refused for
 * some of them: those settle now, the rest are written again, and the caller gets every
 * outcome in its own order once all are known. Undefined when none is left to write.
 */
function retryInnocent(p: Pending, outcomes: readonly AppendOutcome[]): Pending | undefined {
  const kept: number[] = [];
  outcomes.forEach((o, index) => {
    if (o.status === 'failed') kept.push(index);
  });
  if (kept.length === 0) {
    p.settle(outcomes);
    return undefined;
  }
  return {
    entries: kept.map((index) => p.entries[index]!),
    size: kept.length,
    whole: false,
    settle(later) {
      const merged = [...outcomes];
      kept.forEach((index, k) => {
        merged[index] = later[k]!;
      });
      p.settle(merged);
    },
  };
}

function settleAll(batch: readonly Pending[], error: unknown): void {
  for (const p of batch) p.settle(failedAll(p.entries, error));
}

function failedAll(entries: readonly AuditLogEntry[], error: unknown): AppendOutcome[] {
  return entries.map((e) => ({ id: e.id, status: 'failed', error }));
}

function toResult(outcomes: readonly AppendOutcome[]): AppendManyResult {
  const failed = outcomes.find((o) => o.status === 'failed');
  return failed === undefined ? { results: outcomes } : { results: outcomes, error: failed.error };
}
