/**
 * Signs checkpoints of this process's chain as it grows (`ChainHeadObserver` of
 * `HashChainedAuditLog`): every `everyEntries` entries, every `intervalMs` while there are
 * entries not yet covered, and a `final` one when the chain closes gracefully. Each names the
 * checkpoint before it. A checkpoint that cannot be stored is said in the log and made again
 * at the next occasion; the entries it would have covered are committed either way (a
 * checkpoint vouches for entries, it is not what commits them).
 *
 * @example
 * const checkpointer = new ChainCheckpointer({ repository, key, instance, everyEntries: 1000 });
 * const chain = new HashChainedAuditLog(storage, { observer: checkpointer });
 */
import type { AuditCheckpointRepository } from './audit-checkpoint-repository.js';
import type { AuditSigningKey } from './audit-signing-key.js';
import type { StoredAuditCheckpoint } from './audit-trail-reader.js';
import type { ChainHead, ChainHeadObserver } from './chain-head.js';
import { type CheckpointReason, newAuditCheckpoint } from './new-audit-checkpoint.js';

export interface ChainCheckpointerOptions {
  readonly repository: AuditCheckpointRepository;
  readonly key: AuditSigningKey;
  /** The signing gateway process, e.g. host and pid. */
  readonly instance: string;
  /** A checkpoint after this many entries since the last. Default 1000. */
  readonly everyEntries?: number;
  /** A checkpoint this often (ms) while entries are uncovered; 0 for none. Default 60,000. */
  readonly intervalMs?: number;
  readonly log?: { warn(object: object, message: string): void };
}

export class ChainCheckpointer implements ChainHeadObserver {
  readonly #repository: AuditCheckpointRepository;
  readonly #key: AuditSigningKey;
  readonly #instance: string;
  readonly #everyEntries: number;
  readonly #log: ChainCheckpointerOptions['log'];
  readonly #timer: NodeJS.Timeout | undefined;
  #head: ChainHead | undefined;
  #last: StoredAuditCheckpoint | undefined;
  #uncovered = 0;
  #writing: Promise<void> = Promise.resolve();
  #scheduled = false;
  #failures = 0;

  constructor(options: ChainCheckpointerOptions) {
    this.#repository = options.repository;
    this.#key = options.key;
    this.#instance = options.instance;
    this.#everyEntries = options.everyEntries ?? 1000;
    this.#log = options.log;
    const intervalMs = options.intervalMs ?? 60_000;
    if (intervalMs > 0) {
      this.#timer = setInterval(() => {
        if (this.#uncovered > 0) this.#schedule('interval');
      }, intervalMs);
      this.#timer.unref();
    }
  }

  /** The newest checkpoint this process stored, if any. */
  get lastCheckpoint(): StoredAuditCheckpoint | undefined {
    return this.#last;
  }

  /** Checkpoints that could not be stored since start. */
  get failures(): number {
    return this.#failures;
  }

  committed(head: ChainHead, committed: number): void {
    this.#head = head;
    this.#uncovered += committed;
    if (this.#uncovered >= this.#everyEntries) this.#schedule('entries');
  }

  async closing(head: ChainHead): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#head = head;
    await this.#writing;
    if (head.seq > 0) await this.#write('final');
  }

  /** Writes a checkpoint of the head now (after any in progress); for tests and tools. */
  async checkpointNow(
    reason: CheckpointReason = 'interval',
  ): Promise<StoredAuditCheckpoint | undefined> {
    await this.#writing;
    await this.#write(reason);
    return this.#last;
  }

  #schedule(reason: CheckpointReason): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    this.#writing = this.#writing.then(() => {
      this.#scheduled = false;
      return this.#write(reason);
    });
  }

  async #write(reason: CheckpointReason): Promise<void> {
    const head = this.#head;
    if (head === undefined || head.seq === 0) return;
    if (reason !== 'final' && this.#last !== undefined && this.#last.seq >= head.seq) return;
    const uncovered = this.#uncovered;
    const checkpoint = newAuditCheckpoint({
      head,
      previous: this.#last,
      reason,
      instance: this.#instance,
      key: this.#key,
    });
    try {
      await this.#repository.append(checkpoint);
    } catch (error) {
      this.#failures += 1;
      this.#log?.warn(
        { err: error, chainId: head.chainId, chainSeq: head.seq, reason },
        'could not store an audit checkpoint; the next one will cover these entries',
      );
      return;
    }
    this.#last = checkpoint;
    this.#uncovered = Math.max(0, this.#uncovered - uncovered);
  }
}
