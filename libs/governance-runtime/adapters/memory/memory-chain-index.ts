/**
 * The memory store's entries by hash chain, for its trail reader: a step of the write path
 * right above the memory repository that keeps, per chain, the stored entries in seq order
 * (the same frozen objects the repository serves, so the verifier hashes what the API shows).
 * The repository drops its oldest entries beyond its bound; the index follows by cutting each
 * chain's start through the highest seq dropped, remembering the last removed entry's hash so
 * that the reader can vouch for the cut as retention does (`MemoryAuditTrailReader`).
 */
import type { AppendManyOptions } from '../../src/append-many-options.js';
import type { AppendManyResult } from '../../src/append-many-result.js';
import type { AuditLogEntry } from '../../src/audit-log-entry.js';
import { AuditLogEntryRepositoryDecorator } from '../../src/audit-log-entry-repository-decorator.js';
import { auditTimestampNow } from '../../src/audit-timestamp.js';
import { SlidingWindow, type SlidingWindowView } from './sliding-window.js';

const EMPTY: SlidingWindowView<AuditLogEntry> = new SlidingWindow<AuditLogEntry>();

/** Where the memory bound cut a chain: seqs 1…`lastRemovedSeq` are gone. */
export interface MemoryChainCut {
  readonly lastRemovedSeq: number;
  readonly lastRemovedEntryHash: string;
  /** `occurredAt` of the last removed entry. */
  readonly lastRemovedOccurredAt: string;
  /** When the index noticed the removal. */
  readonly removedAt: string;
}

interface IndexedChain {
  /** Stored entries still held, ascending seq. */
  readonly entries: SlidingWindow<AuditLogEntry>;
  cut: MemoryChainCut | undefined;
}

export class MemoryChainIndex extends AuditLogEntryRepositoryDecorator {
  readonly #chains = new Map<string, IndexedChain>();
  /** Entries written without a chain (before tamper evidence), while the store holds them. */
  #unchained = new SlidingWindow<AuditLogEntry>();

  override async append(entry: AuditLogEntry): Promise<void> {
    await super.append(entry);
    await this.#indexCommitted([entry.id]);
  }

  override async appendMany(
    entries: readonly AuditLogEntry[],
    options?: AppendManyOptions,
  ): Promise<AppendManyResult> {
    const result = await super.appendMany(entries, options);
    await this.#indexCommitted(
      result.results.filter((r) => r.status === 'committed').map((r) => r.id),
    );
    return result;
  }

  /** The chains held, in id order. */
  chainIds(): string[] {
    return [...this.#chains.keys()].sort();
  }

  /** A chain's entries still held, ascending seq (the live window: read, never copied). */
  chainEntries(chainId: string): SlidingWindowView<AuditLogEntry> {
    return this.#chains.get(chainId)?.entries ?? EMPTY;
  }

  cutOf(chainId: string): MemoryChainCut | undefined {
    return this.#chains.get(chainId)?.cut;
  }

  unchainedEntries(): readonly AuditLogEntry[] {
    return this.#unchained.toArray();
  }

  /**
   * Cuts every chain through its highest dropped seq. Entries are dropped oldest first by
   * time, which is a chain's start unless its entries' times are out of order (uploaded
   * decision logs); a chain with a hole in the middle is cut through the hole, so that the
   * verifier never calls a bounded store's drop a deletion.
   */
  async prune(): Promise<void> {
    for (const chain of this.#chains.values()) {
      let last = -1;
      for (let index = chain.entries.length - 1; index >= 0; index -= 1) {
        if ((await this.inner.findById(chain.entries.at(index)!.id)) === undefined) {
          last = index;
          break;
        }
      }
      if (last >= 0) this.#cut(chain, last);
    }
    const kept = new SlidingWindow<AuditLogEntry>();
    for (const entry of this.#unchained.toArray()) {
      if ((await this.inner.findById(entry.id)) !== undefined) kept.push(entry);
    }
    this.#unchained = kept;
  }

  async #indexCommitted(ids: readonly string[]): Promise<void> {
    for (const id of ids) {
      const stored = await this.inner.findById(id);
      if (stored === undefined) continue;
      if (stored.chain === undefined) {
        this.#unchained.push(stored);
        continue;
      }
      let chain = this.#chains.get(stored.chain.chainId);
      if (chain === undefined) {
        chain = { entries: new SlidingWindow(), cut: undefined };
        this.#chains.set(stored.chain.chainId, chain);
      }
      insertBySeq(chain.entries, stored);
    }
    // Drops come from the front: follow them there after every write (cheap, one look-up per
    // chain while nothing was dropped), so that the index holds no more than the store.
    for (const chain of this.#chains.values()) {
      let dropped = 0;
      while (
        dropped < chain.entries.length &&
        (await this.inner.findById(chain.entries.at(dropped)!.id)) === undefined
      ) {
        dropped += 1;
      }
      if (dropped > 0) this.#cut(chain, dropped - 1);
    }
    while (
      this.#unchained.length > 0 &&
      (await this.inner.findById(this.#unchained.at(0)!.id)) === undefined
    ) {
      this.#unchained.dropOldest();
    }
  }

  /** Removes entries 0…`through` of the chain, recording the last as its cut. */
  #cut(chain: IndexedChain, through: number): void {
    const last = chain.entries.dropOldest(through + 1).at(-1)!;
    chain.cut = {
      lastRemovedSeq: last.chain!.seq,
      lastRemovedEntryHash: last.chain!.entryHash,
      lastRemovedOccurredAt: last.occurredAt,
      removedAt: auditTimestampNow(),
    };
  }
}

function insertBySeq(entries: SlidingWindow<AuditLogEntry>, entry: AuditLogEntry): void {
  const seq = entry.chain!.seq;
  let index = entries.length;
  while (index > 0 && entries.at(index - 1)!.chain!.seq > seq) index -= 1;
  entries.insert(index, entry);
}
