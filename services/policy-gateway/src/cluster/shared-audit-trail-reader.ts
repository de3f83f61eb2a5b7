/**
 * A worker's reader of the shared memory store's trail (issue 11): the chains and checkpoints
 * the primary keeps, read over IPC in pages of entries, so that verification and proofs work
 * from any worker. The worker digests the entries itself (the primary serves every worker and
 * must not spend its time hashing), and signs the record of a cut the store's bound made with
 * its own checkpoint key, as `MemoryAuditTrailReader` does in a single process.
 */
import type {
  AuditChainSegment,
  AuditLogEntry,
  AuditRetentionRecord,
  AuditSigningKey,
  AuditTrailRange,
  AuditTrailReader,
  DigestedAuditEntry,
  StoredAuditCheckpoint,
  StoredSigningKey,
} from '@policy-gateway/governance-runtime';
import { digestAuditEntry } from '@policy-gateway/governance-runtime';
import { type MemoryChainCut, memoryCutRecord } from '@policy-gateway/governance-runtime/memory';
import type { PrimaryCalls } from './primary-calls.js';

/** Entries per call: one message each way, a few hundred KB at most. */
export const SHARED_TRAIL_PAGE_ENTRIES = 500;

export class SharedAuditTrailReader implements AuditTrailReader {
  readonly #calls: PrimaryCalls;
  readonly #key: AuditSigningKey;
  readonly #removedBy: string;
  readonly #records = new Map<string, AuditRetentionRecord>();

  constructor(
    calls: PrimaryCalls,
    options: { readonly key: AuditSigningKey; readonly removedBy: string },
  ) {
    this.#calls = calls;
    this.#key = options.key;
    this.#removedBy = options.removedBy;
  }

  chainSegments(range: AuditTrailRange): Promise<readonly AuditChainSegment[]> {
    return this.#calls.call('auditTrail', 'chainSegments', [range]);
  }

  async *entries(chainId: string, fromSeq: number, toSeq?: number): AsyncIterable<AuditLogEntry> {
    for await (const page of this.#pages(chainId, fromSeq, toSeq)) yield* page;
  }

  async *entryDigests(
    chainId: string,
    fromSeq: number,
    toSeq?: number,
  ): AsyncIterable<readonly DigestedAuditEntry[]> {
    for await (const page of this.#pages(chainId, fromSeq, toSeq)) {
      const digested = page.flatMap((entry) => digestAuditEntry(entry) ?? []);
      if (digested.length > 0) yield digested;
    }
  }

  async *checkpoints(chainId: string, fromSeq: number): AsyncIterable<StoredAuditCheckpoint> {
    const all = await this.#calls.call<StoredAuditCheckpoint[]>('checkpoints', 'checkpoints', [
      chainId,
    ]);
    for (const checkpoint of all) if (checkpoint.seq >= fromSeq) yield checkpoint;
  }

  checkpointAtOrBefore(chainId: string, seq: number): Promise<StoredAuditCheckpoint | undefined> {
    return this.#calls.call('auditTrail', 'checkpointAtOrBefore', [chainId, seq]);
  }

  checkpointAtOrAfter(chainId: string, seq: number): Promise<StoredAuditCheckpoint | undefined> {
    return this.#calls.call('auditTrail', 'checkpointAtOrAfter', [chainId, seq]);
  }

  unchainedEntries(range: AuditTrailRange): Promise<number> {
    return this.#calls.call('auditTrail', 'unchainedEntries', [range]);
  }

  signingKeys(): Promise<readonly StoredSigningKey[]> {
    return this.#calls.call('auditTrail', 'signingKeys');
  }

  async retentionRecords(chainId: string): Promise<readonly AuditRetentionRecord[]> {
    const cut = await this.#calls.call<MemoryChainCut | undefined>('auditTrail', 'cut', [chainId]);
    if (cut === undefined) return [];
    const known = this.#records.get(chainId);
    if (known !== undefined && known.lastRemovedSeq === cut.lastRemovedSeq) return [known];
    const record = memoryCutRecord(chainId, cut, this.#key, this.#removedBy);
    this.#records.set(chainId, record);
    return [record];
  }

  async *#pages(
    chainId: string,
    fromSeq: number,
    toSeq?: number,
  ): AsyncIterable<readonly AuditLogEntry[]> {
    let next = fromSeq;
    for (;;) {
      const page = await this.#calls.call<AuditLogEntry[]>('auditTrail', 'entryPage', [
        chainId,
        next,
        toSeq ?? null,
        SHARED_TRAIL_PAGE_ENTRIES,
      ]);
      if (page.length === 0) return;
      yield page;
      next = page[page.length - 1]!.chain!.seq + 1;
    }
  }
}
