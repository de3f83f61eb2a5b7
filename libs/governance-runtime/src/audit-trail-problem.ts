/**
 * What a verification of the audit trail can find wrong, and the result it reports: the
 * vocabulary shared by the verifier, the `policy-gateway audit verify` command, the
 * integrity route and the Workbench.
 */

/**
 * The kinds of problem, failures first. `unsealed-tail` and `unchained` are warnings: they
 * say what nothing signed vouches for, not that something was changed.
 */
export const AUDIT_TRAIL_PROBLEM_KINDS = Object.freeze([
  /** An entry's content no longer hashes to its stored `entry_hash`. */
  'altered',
  /** A chain skips sequence numbers: entries were deleted. */
  'missing',
  /** An entry with a self-consistent hash that its chain does not vouch for (forged, replaced). */
  'inserted',
  /** An entry hashes correctly only at another sequence number than the one it sits at. */
  'reordered',
  /** A checkpoint names an entry past the end of what its chain still holds. */
  'truncated',
  /** A checkpoint whose signature does not verify, or that does not follow the one before. */
  'bad-signature',
  /** A checkpoint signed by a key outside the trusted set. */
  'unknown-key',
  /** Warning: a chain's newest entries are not covered by a checkpoint yet. */
  'unsealed-tail',
  /** Warning: entries written before tamper evidence, which carry no chain. */
  'unchained',
] as const);

export type AuditTrailProblemKind = (typeof AUDIT_TRAIL_PROBLEM_KINDS)[number];

const WARNINGS: ReadonlySet<AuditTrailProblemKind> = new Set(['unsealed-tail', 'unchained']);

/** Whether a problem of this kind makes the trail fail verification (warnings do not). */
export function isFailure(kind: AuditTrailProblemKind): boolean {
  return !WARNINGS.has(kind);
}

/** One problem, named precisely enough to go and look at it. */
export interface AuditTrailProblem {
  readonly kind: AuditTrailProblemKind;
  /** The entry at fault, when one is. */
  readonly entryId?: string;
  readonly chainId?: string;
  /** Where in the chain. */
  readonly seq?: number;
  /** The checkpoint at fault, or the one that shows the fault. */
  readonly checkpointId?: string;
  /** A sentence for a person: what is wrong and where. */
  readonly message: string;
}

/** The head of one chain as verification found it. */
export interface AuditChainHead {
  readonly chainId: string;
  /** The last entry present. */
  readonly seq: number;
  readonly entryHash: string;
  readonly entryId: string;
  /** The newest checkpoint's seq; null without one. */
  readonly checkpointSeq: number | null;
  /** Whether a final checkpoint closed the chain (its writer shut down gracefully). */
  readonly final: boolean;
}

/** A chain whose first entries retention removed, as a valid signed record says. */
export interface AuditChainRetention {
  readonly chainId: string;
  /** Seqs 1 to this went with expired partitions. */
  readonly removedThroughSeq: number;
  /** When, and the partition the record names (the last one dropped), as signed. */
  readonly removedAt: string;
  readonly partition: string;
  readonly recordId: string;
  /** The last seq walked after the cut; null when retention removed every entry walked. */
  readonly verifiedThroughSeq: number | null;
}

/** The outcome of one verification run. */
export interface AuditTrailVerification {
  /** RFC 3339 timestamps. */
  readonly startedAt: string;
  readonly finishedAt: string;
  /** The time range asked for, if any (RFC 3339). */
  readonly since: string | null;
  readonly until: string | null;
  readonly entriesChecked: number;
  readonly chains: number;
  readonly checkpoints: number;
  /** True when no failure was found (warnings allowed). */
  readonly intact: boolean;
  /** The first problem of each kind found, in the order of `AUDIT_TRAIL_PROBLEM_KINDS`. */
  readonly problems: readonly AuditTrailProblem[];
  /** How many of each kind were found (kinds with none are left out). */
  readonly problemCounts: Readonly<Partial<Record<AuditTrailProblemKind, number>>>;
  /** Entries found at fault, up to `MAX_FAILED_ENTRY_IDS`, so that a reader can mark them. */
  readonly failedEntryIds: readonly string[];
  /** True when more entries were at fault than `failedEntryIds` holds. */
  readonly failedEntryIdsTruncated: boolean;
  /** Chain heads, newest chains first, up to `MAX_REPORTED_CHAIN_HEADS`. */
  readonly heads: readonly AuditChainHead[];
  /** Chains cut by retention, in chain id order, up to `MAX_REPORTED_CHAIN_HEADS`. */
  readonly retention: readonly AuditChainRetention[];
  /** Entries of every chain walked that retention removed (not only those listed). */
  readonly entriesRemovedByRetention: number;
}

/** Bounds on what a result holds, so that a trail in a bad way still gives a small result. */
export const MAX_FAILED_ENTRY_IDS = 1000;
export const MAX_REPORTED_CHAIN_HEADS = 100;
