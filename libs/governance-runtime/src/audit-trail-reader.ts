/**
 * The port through which the verifier reads the stored audit trail: chains of entries in
 * sequence order, the checkpoints that sign their heads, and the public keys the store
 * knows, and the signed records of chain starts removed by retention. Reads are streamed in bounded batches, so verifying a trail of any length takes
 * constant memory. Adapters: `postgres/` (PostgreSQL server and PGlite).
 */
import type { AuditLogEntry } from './audit-log-entry.js';
import type { AuditRetentionRecord } from './audit-retention-record.js';
import type { DigestedAuditEntry } from './digested-audit-entry.js';

/** A checkpoint as stored: the signed payload and the columns that repeat its members. */
export interface StoredAuditCheckpoint {
  readonly id: string;
  readonly chainId: string;
  readonly seq: number;
  readonly entryHash: string;
  readonly prevCheckpointId: string | null;
  readonly prevCheckpointHash: string | null;
  readonly keyId: string;
  readonly createdAt: string;
  readonly instance: string;
  readonly reason: string;
  readonly final: boolean;
  /** The canonical JSON text that was signed. */
  readonly payload: string;
  /** Hex SHA-256 of `payload`. */
  readonly checkpointHash: string;
  /** Base64 Ed25519 signature over `payload`'s UTF-8 bytes. */
  readonly signature: string;
}

/** A public key as the store keeps it; its id is recomputed from the PEM, never trusted. */
export interface StoredSigningKey {
  readonly keyId: string;
  readonly publicKeyPem: string;
}

/** A time range, RFC 3339 bounds, `since` inclusive, `until` exclusive. */
export interface AuditTrailRange {
  readonly since?: string;
  readonly until?: string;
}

/** The part of one chain to verify. */
export interface AuditChainSegment {
  readonly chainId: string;
  /** First seq in the range (1 without a range); null when the chain has no entry at all. */
  readonly firstSeq: number | null;
  /** Last seq in the range; null when the chain has no entry at all. */
  readonly lastSeq: number | null;
}

export interface AuditTrailReader {
  /**
   * Every chain that has entries or checkpoints in the range (all chains without one), in
   * chain id order, with the seqs of its first and last entry in the range (of its first and
   * last checkpoint in it, for a chain that has no entry in the range). A chain of which only
   * retention records are left (removed whole, never checkpointed) is listed too, with null
   * seqs, where the removed entries may have fallen in the range.
   */
  chainSegments(range: AuditTrailRange): Promise<readonly AuditChainSegment[]>;
  /** A chain's entries from `fromSeq` on (up to `toSeq` when given), in seq order. */
  entries(chainId: string, fromSeq: number, toSeq?: number): AsyncIterable<AuditLogEntry>;
  /**
   * The same entries as `entries`, digested (`digestAuditEntry` of each, or the same digests
   * computed another way), in batches: what the verifier walks. A batch is never empty.
   */
  entryDigests(
    chainId: string,
    fromSeq: number,
    toSeq?: number,
  ): AsyncIterable<readonly DigestedAuditEntry[]>;
  /** A chain's checkpoints with seq ≥ `fromSeq`, in seq order (then creation order). */
  checkpoints(chainId: string, fromSeq: number): AsyncIterable<StoredAuditCheckpoint>;
  /** The chain's newest checkpoint with seq ≤ `seq`, or undefined. */
  checkpointAtOrBefore(chainId: string, seq: number): Promise<StoredAuditCheckpoint | undefined>;
  /** The chain's oldest checkpoint with seq ≥ `seq`, or undefined: the one that vouches for it. */
  checkpointAtOrAfter(chainId: string, seq: number): Promise<StoredAuditCheckpoint | undefined>;
  /** How many entries in the range have no chain (written before tamper evidence). */
  unchainedEntries(range: AuditTrailRange): Promise<number>;
  /** The public keys the store holds. */
  signingKeys(): Promise<readonly StoredSigningKey[]>;
  /**
   * The chain's retention records (one per partition retention dropped while the chain had
   * entries in it, so a handful), highest removed seq first, then newest first; none where
   * the store has no retention.
   */
  retentionRecords(chainId: string): Promise<readonly AuditRetentionRecord[]>;
}
