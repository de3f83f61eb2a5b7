/**
 * Group commit's queue: it gathers what concurrent callers want written into batches, and
 * has one batch written at a time, so that many callers share one transaction. A batch is
 * flushed when it is full (`maxBatchEntries`) or when the first entry of an idle queue has
 * waited `maxDelayMs`; while a batch is being written the next one fills up, and is written
 * as soon as the first is done. The queue is bounded (`maxQueuedEntries`): beyond it,
 * `enqueue` refuses, so that a storage that falls behind makes callers retry rather than
 * wait without end and grow the process's memory.
 *
 * The queue knows nothing of what a batch is for: its owner's `write` answers the callers of
 * each batch (the hash chain, `HashChainedAuditLog`, assigns seqs to a batch as it is written).
 *
 * @example
 * const queue = new GroupCommitQueue<Pending>((batch) => writeTogether(batch), {
 *   maxBatchEntries: 512,
 *   maxDelayMs: 0,
 *   maxQueuedEntries: 10_000,
 * });
 * if (!queue.enqueue({ size: 1, ... })) refuse();
 */

/** What a caller queues: its `size` (entries) counts towards the batch and queue bounds. */
export interface QueuedWrite {
  readonly size: number;
}

export interface GroupCommitOptions {
  /** Most entries in one batch (a caller's own entries are never split). Default 512. */
  readonly maxBatchEntries?: number;
  /**
   * How long the first entry of an idle queue waits for others before its batch is written,
   * in ms. 0 (default): written as soon as the current task ends; later batches still
   * gather every entry that arrived while the batch before them was being written.
   */
  readonly maxDelayMs?: number;
  /**
   * Most entries waiting for a batch (not counting the batch being written); beyond it
   * `enqueue` refuses. A caller with more entries than this is accepted when the queue is
   * empty. Default 10,000.
   */
  readonly maxQueuedEntries?: number;
}

export const GROUP_COMMIT_DEFAULTS = Object.freeze({
  maxBatchEntries: 512,
  maxDelayMs: 0,
  maxQueuedEntries: 10_000,
});

export class GroupCommitQueue<T extends QueuedWrite> {
  readonly maxBatchEntries: number;
  readonly maxDelayMs: number;
  readonly maxQueuedEntries: number;
  readonly #write: (batch: readonly T[]) => Promise<void>;
  #queue: T[] = [];
  #queuedEntries = 0;
  #draining: Promise<void> | undefined;
  /** Ends the wait for more entries of the first batch after idle (it is full). */
  #stopWaiting: (() => void) | undefined;

  /** @param write writes one batch and answers its callers; must not reject. */
  constructor(write: (batch: readonly T[]) => Promise<void>, options: GroupCommitOptions = {}) {
    this.#write = write;
    this.maxBatchEntries = positiveInteger(
      'maxBatchEntries',
      options.maxBatchEntries ?? GROUP_COMMIT_DEFAULTS.maxBatchEntries,
    );
    this.maxDelayMs = options.maxDelayMs ?? GROUP_COMMIT_DEFAULTS.maxDelayMs;
    if (!(this.maxDelayMs >= 0)) throw new RangeError('maxDelayMs must be a number ≥ 0');
    this.maxQueuedEntries = positiveInteger(
      'maxQueuedEntries',
      options.maxQueuedEntries ?? GROUP_COMMIT_DEFAULTS.maxQueuedEntries,
    );
  }

  /** Entries waiting for a batch, not counting the batch being written. */
  get queuedEntries(): number {
    return this.#queuedEntries;
  }

  /** Queues `item` for a coming batch; false (and nothing queued) when the queue is full. */
  enqueue(item: T): boolean {
    if (this.#queuedEntries > 0 && this.#queuedEntries + item.size > this.maxQueuedEntries) {
      return false;
    }
    this.#queue.push(item);
    this.#queuedEntries += item.size;
    if (this.#stopWaiting !== undefined && this.#queuedEntries >= this.maxBatchEntries) {
      this.#stopWaiting();
    }
    this.#kick();
    return true;
  }

  /** Resolves once every queued item was written (for `close`). */
  async drained(): Promise<void> {
    while (this.#draining !== undefined) await this.#draining;
  }

  /** Starts draining unless a drain is running; one that ends with work left restarts. */
  #kick(): void {
    if (this.#draining !== undefined) return;
    this.#draining = this.#drain().finally(() => {
      this.#draining = undefined;
      if (this.#queue.length > 0) this.#kick();
    });
  }

  async #drain(): Promise<void> {
    await this.#gather();
    while (this.#queue.length > 0) await this.#write(this.#takeBatch());
  }

  /** Lets the first batch after idle gather: until the task ends, or the delay, or full. */
  #gather(): Promise<void> {
    if (this.maxDelayMs === 0 || this.#queuedEntries >= this.maxBatchEntries) {
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.#stopWaiting?.(), this.maxDelayMs);
      this.#stopWaiting = () => {
        clearTimeout(timer);
        this.#stopWaiting = undefined;
        resolve();
      };
    });
  }

  /** The oldest items, as many as fit in a batch (at least one, whatever its size). */
  #takeBatch(): T[] {
    let size = 0;
    let count = 0;
    while (count < this.#queue.length) {
      const next = this.#queue[count]!;
      if (count > 0 && size + next.size > this.maxBatchEntries) break;
      size += next.size;
      count += 1;
    }
    const batch = count === this.#queue.length ? this.#queue : this.#queue.slice(0, count);
    this.#queue = count === this.#queue.length ? [] : this.#queue.slice(count);
    this.#queuedEntries -= size;
    return batch;
  }
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`${name} must be a positive integer, got ${value}`);
  }
  return value;
}
