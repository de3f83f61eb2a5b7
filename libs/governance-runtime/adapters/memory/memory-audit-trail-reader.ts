/**
 * Reads the memory store's audit trail for the verifier, as `PostgresAuditTrailReader` reads a
 * database's: chains from the store's chain index (`MemoryChainIndex`), checkpoints and keys
 * from its checkpoint repository. Where the store's bound dropped a chain's start, the reader
 * gives a retention record of the cut, signed with the gateway's own key when it is given one:
 * the memory lives and dies with the process that signs, so a record signed when read vouches
 * for no more than one signed when the entries were dropped would. Without a key the cut is
 * unrecorded, and the verifier reports the dropped entries as missing.
 */
import type { AuditCheckpointRepository } from '../../src/audit-checkpoint-repository.js';
import type { AuditLogEntry } from '../../src/audit-log-entry.js';
import {
  type AuditRetentionRecord,
  newAuditRetentionRecord,
} from '../../src/audit-retention-record.js';
import type { AuditSigningKey } from '../../src/audit-signing-key.js';
import type {
  AuditChainSegment,
  AuditTrailRange,
  AuditTrailReader,
  StoredAuditCheckpoint,
  StoredSigningKey,
} from '../../src/audit-trail-reader.js';
import { type DigestedAuditEntry, digestAuditEntry } from '../../src/digested-audit-entry.js';
import type { MemoryChainCut, MemoryChainIndex } from './memory-chain-index.js';
import type { SlidingWindowView } from './sliding-window.js';

/** What the memory store's bound is called in retention records (their `partition`). */
export const MEMORY_BOUND_PARTITION = 'memory store bound (oldest entries dropped)';

export interface MemoryAuditTrailReaderOptions {
  /** Signs the records of cuts the store's bound made; the gateway's checkpoint key. */
  readonly retentionKey?: AuditSigningKey;
  /** Who removed, as recorded (the gateway instance). Default `memory-store`. */
  readonly removedBy?: string;
  /** Entries per batch. Default 500. */
  readonly batchSize?: number;
}

export class MemoryAuditTrailReader implements AuditTrailReader {
  readonly #index: MemoryChainIndex;
  readonly #checkpoints: AuditCheckpointRepository;
  readonly #options: MemoryAuditTrailReaderOptions;
  readonly #batchSize: number;
  /** The signed record of each chain's current cut, made once per cut. */
  readonly #records = new Map<string, AuditRetentionRecord>();

  constructor(
    index: MemoryChainIndex,
    checkpoints: AuditCheckpointRepository,
    options: MemoryAuditTrailReaderOptions = {},
  ) {
    this.#index = index;
    this.#checkpoints = checkpoints;
    this.#options = options;
    this.#batchSize = options.batchSize ?? 500;
  }

  async chainSegments(range: AuditTrailRange): Promise<readonly AuditChainSegment[]> {
    await this.#index.prune();
    const inRange = (time: string) =>
      (range.since === undefined || time >= range.since) &&
      (range.until === undefined || time < range.until);
    const ranged = range.since !== undefined || range.until !== undefined;
    const checkpoints = await this.#checkpoints.checkpoints();
    const chainIds = new Set([...this.#index.chainIds(), ...checkpoints.map((c) => c.chainId)]);
    const segments: AuditChainSegment[] = [];
    for (const chainId of [...chainIds].sort()) {
      const entries = this.#index
        .chainEntries(chainId)
        .toArray()
        .filter((e) => inRange(e.occurredAt));
      if (entries.length > 0) {
        segments.push({
          chainId,
          firstSeq: entries[0]!.chain!.seq,
          lastSeq: entries[entries.length - 1]!.chain!.seq,
        });
        continue;
      }
      if (!ranged) {
        segments.push({ chainId, firstSeq: null, lastSeq: null });
        continue;
      }
      const signed = checkpoints.filter((c) => c.chainId === chainId && inRange(c.createdAt));
      if (signed.length > 0) {
        segments.push({
          chainId,
          firstSeq: Math.min(...signed.map((c) => c.seq)),
          lastSeq: Math.max(...signed.map((c) => c.seq)),
        });
      }
    }
    return segments;
  }

  async *entries(chainId: string, fromSeq: number, toSeq?: number): AsyncIterable<AuditLogEntry> {
    for await (const batch of this.#batches(chainId, fromSeq, toSeq)) yield* batch;
  }

  async *entryDigests(
    chainId: string,
    fromSeq: number,
    toSeq?: number,
  ): AsyncIterable<readonly DigestedAuditEntry[]> {
    for await (const batch of this.#batches(chainId, fromSeq, toSeq)) {
      const digested = batch.flatMap((entry) => digestAuditEntry(entry) ?? []);
      if (digested.length > 0) yield digested;
    }
  }

  async *checkpoints(chainId: string, fromSeq: number): AsyncIterable<StoredAuditCheckpoint> {
    for (const checkpoint of await this.#checkpoints.checkpoints(chainId)) {
      if (checkpoint.seq >= fromSeq) yield checkpoint;
    }
  }

  async checkpointAtOrBefore(
    chainId: string,
    seq: number,
  ): Promise<StoredAuditCheckpoint | undefined> {
    return (await this.#checkpoints.checkpoints(chainId)).filter((c) => c.seq <= seq).at(-1);
  }

  async checkpointAtOrAfter(
    chainId: string,
    seq: number,
  ): Promise<StoredAuditCheckpoint | undefined> {
    return (await this.#checkpoints.checkpoints(chainId)).find((c) => c.seq >= seq);
  }

  async unchainedEntries(range: AuditTrailRange): Promise<number> {
    return this.#index
      .unchainedEntries()
      .filter(
        (e) =>
          (range.since === undefined || e.occurredAt >= range.since) &&
          (range.until === undefined || e.occurredAt < range.until),
      ).length;
  }

  async signingKeys(): Promise<readonly StoredSigningKey[]> {
    return (await this.#checkpoints.signingKeys()).map((key) => ({
      keyId: key.keyId,
      publicKeyPem: key.publicKeyPem,
    }));
  }

  async retentionRecords(chainId: string): Promise<readonly AuditRetentionRecord[]> {
    const cut = this.#index.cutOf(chainId);
    const key = this.#options.retentionKey;
    if (cut === undefined || key === undefined) return [];
    const known = this.#records.get(chainId);
    if (known !== undefined && known.lastRemovedSeq === cut.lastRemovedSeq) return [known];
    const record = memoryCutRecord(chainId, cut, key, this.#options.removedBy ?? 'memory-store');
    this.#records.set(chainId, record);
    return [record];
  }

  /**
   * Up to `limit` of a chain's entries from `fromSeq` (up to `toSeq`), ascending seq: one page,
   * found by seq, since the index may cut the chain's start between two pages while writes go on.
   */
  entryPage(chainId: string, fromSeq: number, toSeq: number | undefined, limit: number) {
    const entries = this.#index.chainEntries(chainId);
    const page: AuditLogEntry[] = [];
    for (let i = firstAtOrAfter(entries, fromSeq); i < entries.length; i += 1) {
      const entry = entries.at(i)!;
      if (page.length === limit || (toSeq !== undefined && entry.chain!.seq > toSeq)) break;
      page.push(entry);
    }
    return page;
  }

  /** What retention records describe for the chain: where the store's bound cut it, if it did. */
  cutOf(chainId: string): MemoryChainCut | undefined {
    return this.#index.cutOf(chainId);
  }

  async *#batches(
    chainId: string,
    fromSeq: number,
    toSeq?: number,
  ): AsyncIterable<readonly AuditLogEntry[]> {
    let next = fromSeq;
    for (;;) {
      const batch = this.entryPage(chainId, next, toSeq, this.#batchSize);
      if (batch.length === 0) return;
      yield batch;
      next = batch[batch.length - 1]!.chain!.seq + 1;
    }
  }
}

/** The signed record of a cut the memory store's bound made. */
export function memoryCutRecord(
  chainId: string,
  cut: MemoryChainCut,
  key: AuditSigningKey,
  removedBy: string,
): AuditRetentionRecord {
  return newAuditRetentionRecord({
    chainId,
    lastRemovedSeq: cut.lastRemovedSeq,
    lastRemovedEntryHash: cut.lastRemovedEntryHash,
    partition: MEMORY_BOUND_PARTITION,
    partitionTo: cut.lastRemovedOccurredAt,
    removedBy,
    key,
  });
}

/** The index of the first entry whose seq is at least `seq` (binary search). */
function firstAtOrAfter(entries: SlidingWindowView<AuditLogEntry>, seq: number): number {
  let low = 0;
  let high = entries.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (entries.at(middle)!.chain!.seq < seq) low = middle + 1;
    else high = middle;
  }
  return low;
}
