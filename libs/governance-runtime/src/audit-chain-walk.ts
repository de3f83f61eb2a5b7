/**
 * The verification of one chain, entry by entry in sequence order, with its checkpoints
 * merged in: the state machine behind `AuditTrailVerifier`. It holds a few hashes and a
 * small window of recent ones, never the chain, so a chain of any length takes constant
 * memory; each entry costs one hash of its link (`auditLinkHash`, over the entry's digest,
 * which the reader computed), and only an entry that does not hash as stored costs a few
 * more, to tell a moved entry from an altered one.
 */

import { auditLinkHash, chainGenesisHash } from './audit-entry-hash.js';
import type { AuditTrailProblem, AuditTrailProblemKind } from './audit-trail-problem.js';
import type { StoredAuditCheckpoint } from './audit-trail-reader.js';
import type { CheckpointCheck } from './checkpoint-check.js';
import type { DigestedAuditEntry } from './digested-audit-entry.js';
import type { RetentionCut } from './retention-cut.js';

/** Where problems go; the verifier keeps the first of each kind and counts the rest. */
export type ProblemSink = (problem: AuditTrailProblem) => void;

/** How far from its place an entry is looked for before it is called altered rather than moved. */
const REORDER_SEARCH_DISTANCE = 16;
/** Recent entry hashes kept to find where a moved entry came from. */
const RECENT_HASHES = 256;

interface Anchor {
  readonly seq: number;
  readonly hash: string;
  /** What the anchor is, for messages: `the chain's genesis hash`, `checkpoint <id>`, … */
  readonly label: string;
  /** Whether a retention record, not a checkpoint or the genesis hash, gave it. */
  readonly retention: boolean;
}

/**
 * The entry last placed, or the anchor before any. An entry's hash and id are read from it
 * only when a problem or a checkpoint asks: a reader may hold them as bytes.
 */
interface Placed {
  readonly seq: number;
  /** Undefined for the anchor. */
  readonly entry: DigestedAuditEntry | undefined;
  /** The anchor's hash; an entry's is its `chain.entryHash`. */
  readonly anchorHash: string;
  /** Already named as a problem, so that one fault is not reported twice. */
  readonly faulty: boolean;
}

function hashOf(placed: Placed): string {
  return placed.entry === undefined ? placed.anchorHash : placed.entry.chain.entryHash;
}

export interface ChainWalkOptions {
  readonly chainId: string;
  /** The checkpoint the walk starts after (its entry hash is the first entry's prev), or none: seq 1. */
  readonly start?: StoredAuditCheckpoint;
  /**
   * Where retention removed the chain's start (trusted already): the walk starts after it,
   * linked to the last removed entry's hash, when that is past `start`. Checkpoints below it
   * are still checked and linked, but their heads are gone and cannot be compared.
   */
  readonly retention?: RetentionCut;
  readonly checkCheckpoint: CheckpointCheck;
  readonly report: ProblemSink;
}

export interface ChainWalkHead {
  readonly seq: number;
  readonly hash: string;
  readonly id: string;
  readonly occurredAt: string;
}

/** The outcome of walking one chain. */
export interface ChainWalkSummary {
  readonly entries: number;
  readonly checkpoints: number;
  readonly head: ChainWalkHead | undefined;
  readonly checkpointSeq: number | null;
  readonly final: boolean;
}

export class AuditChainWalk {
  readonly #chainId: string;
  readonly #checkCheckpoint: CheckpointCheck;
  readonly #report: ProblemSink;
  readonly #anchor: Anchor;
  #previous: Placed;
  #beforePrevious: Placed | undefined;
  /**
   * The last `RECENT_HASHES` entries placed, a ring from `#recentNext`: searched (their hashes
   * read) only when an entry does not hash as stored, so each entry costs one store rather
   * than a map's insertion and eviction.
   */
  readonly #recentEntries: (DigestedAuditEntry | undefined)[] = new Array(RECENT_HASHES).fill(
    undefined,
  );
  #recentNext = 0;
  #entries = 0;
  #checkpoints = 0;
  #lastCheckpoint: StoredAuditCheckpoint | undefined;
  #finalCheckpoint: StoredAuditCheckpoint | undefined;
  /** The last entry given in order, whose link is the head's. */
  #headEntry: DigestedAuditEntry | undefined;

  constructor(options: ChainWalkOptions) {
    this.#chainId = options.chainId;
    this.#checkCheckpoint = options.checkCheckpoint;
    this.#report = options.report;
    const start = options.start;
    const removed = options.retention?.record;
    const anchor: Anchor =
      removed !== undefined && (start === undefined || removed.lastRemovedSeq > start.seq)
        ? {
            seq: removed.lastRemovedSeq,
            hash: removed.lastRemovedEntryHash,
            label: `the last entry retention removed (seq ${removed.lastRemovedSeq}, retention record ${removed.id})`,
            retention: true,
          }
        : start !== undefined
          ? {
              seq: start.seq,
              hash: start.entryHash,
              label: `checkpoint ${start.id}`,
              retention: false,
            }
          : {
              seq: 0,
              hash: chainGenesisHash(options.chainId),
              label: "the chain's genesis hash",
              retention: false,
            };
    this.#anchor = anchor;
    this.#previous = { seq: anchor.seq, entry: undefined, anchorHash: anchor.hash, faulty: false };
    if (options.start !== undefined) this.checkpoint(options.start);
  }

  /** The next entry of the chain, in seq order. */
  entry(entry: DigestedAuditEntry): void {
    const link = entry.chain;
    this.#entries += 1;
    const seq = link.seq;
    const previous = this.#previous;

    if (this.#finalCheckpoint !== undefined && seq > this.#finalCheckpoint.seq) {
      this.#problem('inserted', {
        ...this.#at(seq, entry.id),
        checkpointId: this.#finalCheckpoint.id,
        message: `entry ${entry.id} at seq ${seq} of chain ${this.#chainId} comes after the final checkpoint ${this.#finalCheckpoint.id} (seq ${this.#finalCheckpoint.seq}) that closed the chain`,
      });
      this.#place(seq, entry, true);
      return;
    }
    if (seq <= previous.seq) {
      this.#problem('inserted', {
        ...this.#at(seq, entry.id),
        message: `entry ${entry.id} is a second entry at seq ${seq} of chain ${this.#chainId}`,
      });
      return;
    }

    let faulty = false;
    let moved = false;
    // The link is its own position (its chain, seq and prev hash); its entry hash is not read.
    const hashesAsStored =
      entry.hashesAsStored ?? auditLinkHash(entry.entryDigest, link) === link.entryHash;
    if (!hashesAsStored) {
      faulty = true;
      const writtenAt = this.#originalSeq(entry);
      if (writtenAt !== undefined) {
        moved = true;
        this.#problem('reordered', {
          ...this.#at(seq, entry.id),
          message: `entry ${entry.id} sits at seq ${seq} of chain ${this.#chainId} but was written at seq ${writtenAt}`,
        });
      } else {
        this.#problem('altered', {
          ...this.#at(seq, entry.id),
          message: `entry ${entry.id} at seq ${seq} of chain ${this.#chainId} does not match its hash: its content was changed after it was written`,
        });
      }
    }

    if (seq > previous.seq + 1) {
      const first = previous.seq + 1;
      const last = seq - 1;
      this.#problem('missing', {
        chainId: this.#chainId,
        seq: first,
        entryId: entry.id,
        message: `chain ${this.#chainId} lacks ${first === last ? `seq ${first}` : `seqs ${first}–${last}`} (${last - first + 1} entr${first === last ? 'y' : 'ies'} deleted) before entry ${entry.id}`,
      });
    } else if ((!faulty || moved) && !linked(entry, previous)) {
      // A moved entry's prev hash is still the one it was written with: it can show that the
      // entry before it was slipped in.
      this.#brokenLink(entry, seq, previous, moved);
    }
    this.#place(seq, entry, faulty);
    this.#headEntry = entry;
  }

  /** The next checkpoint of the chain; call it once the entries up to its seq have been given. */
  checkpoint(checkpoint: StoredAuditCheckpoint): void {
    this.#checkpoints += 1;
    const outcome = this.#checkCheckpoint(checkpoint);
    const at = { chainId: this.#chainId, seq: checkpoint.seq, checkpointId: checkpoint.id };
    if (outcome.kind !== 'valid') {
      this.#problem(outcome.kind, { ...at, message: outcome.message });
      // Nothing of what it says can be believed, so it neither links nor vouches.
      return;
    }
    const previous = this.#lastCheckpoint;
    if (
      previous !== undefined &&
      (checkpoint.prevCheckpointId !== previous.id ||
        checkpoint.prevCheckpointHash !== previous.checkpointHash)
    ) {
      this.#problem('bad-signature', {
        ...at,
        message: `checkpoint ${checkpoint.id} (seq ${checkpoint.seq}) of chain ${this.#chainId} does not follow checkpoint ${previous.id} (seq ${previous.seq}): a checkpoint between them was removed or replaced`,
      });
    }
    this.#lastCheckpoint = checkpoint;
    if (checkpoint.final) this.#finalCheckpoint = checkpoint;
    const placed = this.#previous;
    if (checkpoint.seq === placed.seq && checkpoint.entryHash !== hashOf(placed)) {
      const placedId = placed.entry?.id;
      if (placedId === undefined && this.#anchor.retention) {
        this.#problem('bad-signature', {
          ...at,
          message: `checkpoint ${checkpoint.id} signs seq ${checkpoint.seq} of chain ${this.#chainId} with another entry hash than ${this.#anchor.label} records: one of the two was forged with the signing key`,
        });
      } else if (!placed.faulty) {
        this.#problem('inserted', {
          ...at,
          ...(placedId === undefined ? {} : { entryId: placedId }),
          message: `entry ${placedId ?? '?'} at seq ${checkpoint.seq} of chain ${this.#chainId} has a self-consistent hash but is not the entry checkpoint ${checkpoint.id} signed: it was replaced by a forged entry`,
        });
      }
    }
  }

  /**
   * A checkpoint past the last entry present, once the chain's entries are exhausted: a
   * believable one proves that entries were deleted from the chain's end.
   */
  checkpointPastEnd(checkpoint: StoredAuditCheckpoint): void {
    this.#checkpoints += 1;
    const at = { chainId: this.#chainId, seq: checkpoint.seq, checkpointId: checkpoint.id };
    const outcome = this.#checkCheckpoint(checkpoint);
    if (outcome.kind !== 'valid') {
      this.#problem(outcome.kind, { ...at, message: outcome.message });
      return;
    }
    this.#lastCheckpoint = checkpoint;
    if (checkpoint.final) this.#finalCheckpoint = checkpoint;
    const head = this.#previous;
    const headId = head.entry?.id;
    const lost = checkpoint.seq - head.seq;
    this.#problem('truncated', {
      ...at,
      ...(headId === undefined ? {} : { entryId: headId }),
      message: `checkpoint ${checkpoint.id} of chain ${this.#chainId} signs seq ${checkpoint.seq}, but the chain ends at seq ${head.seq}${headId === undefined ? '' : ` (entry ${headId})`}: ${lost} entr${lost === 1 ? 'y was' : 'ies were'} deleted from its end`,
    });
  }

  /**
   * Ends the walk. `endOfChain` is false when the walk stopped early (a time range ended),
   * so that the part not walked is not called unsealed.
   */
  finish(endOfChain: boolean): ChainWalkSummary {
    const sealedUpTo = this.#lastCheckpoint?.seq ?? 0;
    const last = this.#headEntry;
    const head: ChainWalkHead | undefined =
      last === undefined
        ? undefined
        : {
            seq: last.chain.seq,
            hash: last.chain.entryHash,
            id: last.id,
            occurredAt: last.occurredAt,
          };
    if (endOfChain && head !== undefined && head.seq > sealedUpTo) {
      this.#problem('unsealed-tail', {
        chainId: this.#chainId,
        seq: sealedUpTo + 1,
        entryId: head.id,
        message: `chain ${this.#chainId}: seqs ${sealedUpTo + 1}–${head.seq} are not covered by a checkpoint yet (nothing signed vouches for them; their writer may still be running)`,
      });
    }
    return {
      entries: this.#entries,
      checkpoints: this.#checkpoints,
      head,
      checkpointSeq: this.#lastCheckpoint?.seq ?? null,
      final: this.#finalCheckpoint !== undefined,
    };
  }

  /** The seq of the last entry placed (the anchor's before any). */
  get lastSeq(): number {
    return this.#previous.seq;
  }

  /**
   * The link from `previous` to this entry is broken, though the entry hashes as stored: if
   * the entry links to the one before `previous`, `previous` was slipped in between (a forged
   * entry with a plausible hash); otherwise `previous` was replaced by one.
   */
  #brokenLink(entry: DigestedAuditEntry, seq: number, previous: Placed, moved: boolean): void {
    if (previous.faulty) return;
    const here = { chainId: this.#chainId, seq };
    const previousId = previous.entry?.id;
    const linksPastPrevious =
      previousId !== undefined &&
      this.#beforePrevious !== undefined &&
      linked(entry, this.#beforePrevious);
    if (moved && !linksPastPrevious) return;
    if (previousId === undefined && this.#anchor.retention) {
      this.#problem('inserted', {
        ...here,
        entryId: entry.id,
        message: `entry ${entry.id} at seq ${seq} of chain ${this.#chainId}, the first after retention's cut, does not link to ${this.#anchor.label}: the record does not describe this chain's cut, or the entry was forged`,
      });
    } else if (previousId === undefined) {
      this.#problem('inserted', {
        ...here,
        entryId: entry.id,
        message: `entry ${entry.id} at seq ${seq} of chain ${this.#chainId} does not link to ${this.#anchor.label} before it (a forged entry with a plausible hash)`,
      });
    } else if (linksPastPrevious) {
      this.#problem('inserted', {
        ...here,
        seq: previous.seq,
        entryId: previousId,
        message: `entry ${previousId} at seq ${previous.seq} of chain ${this.#chainId} was inserted: the next entry ${entry.id} links past it, to seq ${this.#beforePrevious!.seq}`,
      });
    } else {
      this.#problem('inserted', {
        ...here,
        seq: previous.seq,
        entryId: previousId,
        message: `entry ${previousId} at seq ${previous.seq} of chain ${this.#chainId} has a plausible hash, but the next entry ${entry.id} was not chained to it: it is forged or replaced`,
      });
    }
  }

  /**
   * The seq this entry was written at, when it hashes correctly there and not where it
   * sits: first where its prev hash points (the seq after the entry it links to), then
   * nearby seqs.
   */
  #originalSeq(entry: DigestedAuditEntry): number | undefined {
    const link = entry.chain;
    const hashesAt = (seq: number) =>
      seq >= 1 &&
      auditLinkHash(entry.entryDigest, { chainId: link.chainId, seq, prevHash: link.prevHash }) ===
        link.entryHash;
    const linked = this.#recentSeq(link.prevHash);
    if (linked !== undefined && linked + 1 !== link.seq && hashesAt(linked + 1)) return linked + 1;
    for (let distance = 1; distance <= REORDER_SEARCH_DISTANCE; distance += 1) {
      if (hashesAt(link.seq - distance)) return link.seq - distance;
      if (hashesAt(link.seq + distance)) return link.seq + distance;
    }
    return undefined;
  }

  #place(seq: number, entry: DigestedAuditEntry, faulty: boolean): void {
    this.#beforePrevious = this.#previous;
    this.#previous = { seq, entry, anchorHash: '', faulty };
    const slot = this.#recentNext;
    this.#recentEntries[slot] = entry;
    this.#recentNext = slot + 1 === RECENT_HASHES ? 0 : slot + 1;
  }

  /** The seq of the latest recent entry placed with this hash. */
  #recentSeq(hash: string): number | undefined {
    for (let back = 1; back <= RECENT_HASHES; back += 1) {
      const slot = (this.#recentNext - back + RECENT_HASHES) % RECENT_HASHES;
      const entry = this.#recentEntries[slot];
      if (entry !== undefined && entry.chain.entryHash === hash) return entry.chain.seq;
    }
    return undefined;
  }

  /** Where a problem of an entry is: its chain, seq and id. */
  #at(seq: number, entryId: string): { chainId: string; seq: number; entryId: string } {
    return { chainId: this.#chainId, seq, entryId };
  }

  #problem(kind: AuditTrailProblemKind, problem: Omit<AuditTrailProblem, 'kind'>): void {
    this.#report({ kind, ...problem });
  }
}

/** Whether `entry` links to what `placed` holds: its prev hash is that hash. */
function linked(entry: DigestedAuditEntry, placed: Placed): boolean {
  if (placed.entry !== undefined && entry.linksTo !== undefined) return entry.linksTo(placed.entry);
  return entry.chain.prevHash === hashOf(placed);
}
