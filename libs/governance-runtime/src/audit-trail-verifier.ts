/**
 * The verifier of the audit trail: walks every chain (or the segments of them that overlap a
 * time range) in sequence order with its signed checkpoints, and reports what was altered,
 * deleted, inserted, moved or cut off, and which checkpoints cannot be believed. A chain whose
 * start retention removed is walked from the cut a valid signed retention record names
 * (`retention-cut.ts`), and the removal is reported rather than called missing. Entries are
 * streamed from an `AuditTrailReader` in bounded batches, already digested (the reader may
 * digest rows without building entries), so memory stays constant however long the trail;
 * the result holds the first problem of each kind and counts of all.
 *
 * @example
 * const result = await verifyAuditTrail(new PostgresAuditTrailReader(db), {
 *   onProgress: (p) => console.log(p.entriesChecked),
 * });
 * if (!result.intact) console.log(result.problems.map((p) => p.message).join('\n'));
 */

import type { KeyObject } from 'node:crypto';
import { AuditChainWalk, type ChainWalkHead } from './audit-chain-walk.js';
import { toCanonicalAuditTimestamp } from './audit-timestamp.js';
import {
  AUDIT_TRAIL_PROBLEM_KINDS,
  type AuditChainHead,
  type AuditChainRetention,
  type AuditTrailProblem,
  type AuditTrailProblemKind,
  type AuditTrailVerification,
  isFailure,
  MAX_FAILED_ENTRY_IDS,
  MAX_REPORTED_CHAIN_HEADS,
} from './audit-trail-problem.js';
import type { AuditTrailRange, AuditTrailReader } from './audit-trail-reader.js';
import {
  type CheckpointCheck,
  checkpointCheck,
  type TrustedSigningKey,
  trustStoredKeys,
} from './checkpoint-check.js';
import { trustedRetentionCut } from './retention-cut.js';

export interface AuditTrailProgress {
  readonly entriesChecked: number;
  /** Chained entries in the range when verification began (more may be written meanwhile). */
  readonly totalEntries: number;
  readonly chainsChecked: number;
  readonly chains: number;
}

export interface VerifyAuditTrailOptions {
  readonly range?: AuditTrailRange;
  /**
   * Trust only these keys (e.g. from `--public-key FILE`), so that an edited key table is
   * caught. Without them, the store's keys are trusted, plus `alsoTrusted`.
   */
  readonly trustedKeys?: readonly TrustedSigningKey[];
  /** Where `trustedKeys` came from, for messages. */
  readonly trustedKeysSource?: string;
  /** Keys trusted besides the store's (the gateway's own signing key, where it runs). */
  readonly alsoTrusted?: readonly TrustedSigningKey[];
  /** Called every `progressEvery` entries and at the end of each chain. */
  readonly onProgress?: (progress: AuditTrailProgress) => void;
  readonly progressEvery?: number;
  /** Stops the walk; the promise rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

export async function verifyAuditTrail(
  reader: AuditTrailReader,
  options: VerifyAuditTrailOptions = {},
): Promise<AuditTrailVerification> {
  const startedAt = new Date().toISOString();
  const range = normalisedRange(options.range ?? {});
  const findings = new Findings();
  const { check, keyOf } = await trustFor(reader, options);
  const [segments, unchained] = await Promise.all([
    reader.chainSegments(range),
    reader.unchainedEntries(range),
  ]);
  const totalEntries = segments.reduce(
    (sum, s) => sum + (s.lastSeq === null || s.firstSeq === null ? 0 : s.lastSeq - s.firstSeq + 1),
    0,
  );
  const progressEvery = options.progressEvery ?? 10_000;
  let entriesChecked = 0;
  let checkpoints = 0;
  let chainsChecked = 0;
  let nextProgress = progressEvery;
  const heads = new HeadList();
  const retention: AuditChainRetention[] = [];
  let entriesRemovedByRetention = 0;
  const progress = () =>
    options.onProgress?.({ entriesChecked, totalEntries, chainsChecked, chains: segments.length });

  for (const segment of segments) {
    options.signal?.throwIfAborted();
    const ranged = range.since !== undefined || range.until !== undefined;
    const start =
      ranged && segment.firstSeq !== null && segment.firstSeq > 1
        ? await reader.checkpointAtOrBefore(segment.chainId, segment.firstSeq - 1)
        : undefined;
    const cut = trustedRetentionCut(
      await reader.retentionRecords(segment.chainId),
      segment.firstSeq,
      keyOf,
      (problem) => findings.add(problem),
    );
    const walk = new AuditChainWalk({
      chainId: segment.chainId,
      ...(start === undefined ? {} : { start }),
      ...(cut === undefined ? {} : { retention: cut }),
      checkCheckpoint: check,
      report: (problem) => findings.add(problem),
    });
    // Checkpoints from the start (below a retention cut too: they are still checked and
    // linked); entries from the walk's anchor on, past what retention removed.
    const fromSeq = (start?.seq ?? 0) + 1;
    const entriesFrom = walk.lastSeq + 1;
    // With a range, the walk goes on past its last entry up to the next checkpoint, so that a
    // signature vouches for the whole segment; without one, to the chain's end.
    const stopAt = ranged ? segment.lastSeq : null;
    const pending = new Peekable(reader.checkpoints(segment.chainId, fromSeq));
    let stopped = false;
    // The next checkpoint is held here rather than peeked per entry: an await per entry would
    // cost as much as the hash.
    let cp = await pending.peek();
    entries: for await (const batch of reader.entryDigests(segment.chainId, entriesFrom)) {
      for (const entry of batch) {
        const seq = entry.chain.seq;
        while (cp !== undefined && cp.seq < seq) {
          walk.checkpoint(cp);
          const reached = stopAt !== null && cp.seq >= stopAt;
          await pending.next();
          cp = await pending.peek();
          if (reached) {
            stopped = true;
            break entries;
          }
        }
        walk.entry(entry);
        entriesChecked += 1;
        if (entriesChecked >= nextProgress) {
          nextProgress += progressEvery;
          options.signal?.throwIfAborted();
          progress();
        }
      }
    }
    if (!stopped) {
      for (let later = await pending.next(); later !== undefined; later = await pending.next()) {
        if (later.seq > walk.lastSeq) {
          // A live chain: its writer may have committed entries, then this checkpoint, after
          // the last batch was read. Read up to the checkpoint before calling the chain cut.
          for await (const batch of reader.entryDigests(
            segment.chainId,
            walk.lastSeq + 1,
            later.seq,
          )) {
            for (const entry of batch) walk.entry(entry);
            entriesChecked += batch.length;
          }
        }
        if (later.seq <= walk.lastSeq) {
          walk.checkpoint(later);
          if (stopAt !== null && later.seq >= stopAt) {
            stopped = true;
            break;
          }
        } else {
          walk.checkpointPastEnd(later);
        }
      }
    }
    await pending.close();
    const summary = walk.finish(!stopped);
    checkpoints += summary.checkpoints;
    // Listed even where the walk started from a checkpoint above the cut (a time range
    // that begins after it): the entries are gone all the same.
    if (cut !== undefined) {
      entriesRemovedByRetention += cut.record.lastRemovedSeq;
      if (retention.length < MAX_REPORTED_CHAIN_HEADS) {
        retention.push({
          chainId: segment.chainId,
          removedThroughSeq: cut.record.lastRemovedSeq,
          removedAt: cut.record.removedAt,
          partition: cut.record.partition,
          recordId: cut.record.id,
          verifiedThroughSeq: summary.head?.seq ?? null,
        });
      }
    }
    if (summary.head !== undefined) {
      heads.add(segment.chainId, summary.head, summary.checkpointSeq, summary.final);
    }
    chainsChecked += 1;
    progress();
  }

  if (unchained > 0) {
    findings.add({
      kind: 'unchained',
      message: `${unchained} entr${unchained === 1 ? 'y was' : 'ies were'} written before tamper evidence (unchained): nothing vouches for ${unchained === 1 ? 'it' : 'them'}`,
    });
  }
  return {
    startedAt,
    finishedAt: new Date().toISOString(),
    since: range.since ?? null,
    until: range.until ?? null,
    entriesChecked,
    chains: segments.length,
    checkpoints,
    intact: !findings.anyFailure,
    problems: findings.firstOfEachKind(),
    problemCounts: findings.counts(),
    failedEntryIds: [...findings.failedEntryIds],
    failedEntryIdsTruncated: findings.failedEntryIdsTruncated,
    heads: heads.list(),
    retention,
    entriesRemovedByRetention,
  };
}

/** The checks of checkpoints and retention records, with the same trusted keys. */
async function trustFor(
  reader: AuditTrailReader,
  options: VerifyAuditTrailOptions,
): Promise<{ check: CheckpointCheck; keyOf: (keyId: string) => KeyObject | undefined }> {
  const keyMap = (keys: readonly TrustedSigningKey[]) => {
    const byId = new Map(keys.map((key) => [key.keyId, key.key]));
    return (keyId: string) => byId.get(keyId);
  };
  if (options.trustedKeys !== undefined) {
    return {
      check: checkpointCheck({
        trusted: options.trustedKeys,
        source: options.trustedKeysSource ?? 'the given public keys',
      }),
      keyOf: keyMap(options.trustedKeys),
    };
  }
  const { trusted: stored, mismatched } = trustStoredKeys(await reader.signingKeys());
  const trusted = [...stored, ...(options.alsoTrusted ?? [])];
  return {
    check: checkpointCheck({ trusted, mismatched, source: "the audit store's key table" }),
    keyOf: keyMap(trusted),
  };
}

function normalisedRange(range: AuditTrailRange): AuditTrailRange {
  const bound = (name: 'since' | 'until') => {
    const value = range[name];
    if (value === undefined) return {};
    const canonical = toCanonicalAuditTimestamp(value);
    if (canonical === null) throw new RangeError(`${name} must be an RFC 3339 date-time`);
    return { [name]: canonical };
  };
  return { ...bound('since'), ...bound('until') };
}

/** The first problem of each kind, counts of every kind, and the entries at fault. */
class Findings {
  readonly #first = new Map<AuditTrailProblemKind, AuditTrailProblem>();
  readonly #counts = new Map<AuditTrailProblemKind, number>();
  readonly failedEntryIds = new Set<string>();
  failedEntryIdsTruncated = false;
  anyFailure = false;

  add(problem: AuditTrailProblem): void {
    if (!this.#first.has(problem.kind)) this.#first.set(problem.kind, problem);
    this.#counts.set(problem.kind, (this.#counts.get(problem.kind) ?? 0) + 1);
    if (!isFailure(problem.kind)) return;
    this.anyFailure = true;
    if (problem.entryId === undefined || this.failedEntryIds.has(problem.entryId)) return;
    if (this.failedEntryIds.size < MAX_FAILED_ENTRY_IDS) this.failedEntryIds.add(problem.entryId);
    else this.failedEntryIdsTruncated = true;
  }

  firstOfEachKind(): AuditTrailProblem[] {
    return AUDIT_TRAIL_PROBLEM_KINDS.flatMap((kind) => {
      const problem = this.#first.get(kind);
      return problem === undefined ? [] : [problem];
    });
  }

  counts(): Partial<Record<AuditTrailProblemKind, number>> {
    return Object.fromEntries(this.#counts);
  }
}

/** The heads of the chains whose newest entry is newest, at most `MAX_REPORTED_CHAIN_HEADS`. */
class HeadList {
  readonly #heads: (AuditChainHead & { readonly occurredAt: string })[] = [];

  add(chainId: string, head: ChainWalkHead, checkpointSeq: number | null, final: boolean): void {
    this.#heads.push({
      chainId,
      seq: head.seq,
      entryHash: head.hash,
      entryId: head.id,
      checkpointSeq,
      final,
      occurredAt: head.occurredAt,
    });
    this.#heads.sort((a, b) =>
      a.occurredAt < b.occurredAt ? 1 : a.occurredAt > b.occurredAt ? -1 : 0,
    );
    if (this.#heads.length > MAX_REPORTED_CHAIN_HEADS) this.#heads.pop();
  }

  list(): AuditChainHead[] {
    return this.#heads.map(({ occurredAt: _, ...head }) => head);
  }
}

/** An async iterator one can look one item ahead in. */
class Peekable<T> {
  readonly #iterator: AsyncIterator<T>;
  #buffered: { value: T | undefined } | undefined;

  constructor(iterable: AsyncIterable<T>) {
    this.#iterator = iterable[Symbol.asyncIterator]();
  }

  async peek(): Promise<T | undefined> {
    if (this.#buffered === undefined) {
      const result = await this.#iterator.next();
      this.#buffered = { value: result.done ? undefined : result.value };
    }
    return this.#buffered.value;
  }

  async next(): Promise<T | undefined> {
    const value = await this.peek();
    if (value !== undefined) this.#buffered = undefined;
    return value;
  }

  async close(): Promise<void> {
    await this.#iterator.return?.();
  }
}
