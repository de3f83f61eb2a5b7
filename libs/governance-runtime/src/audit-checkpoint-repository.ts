/**
 * Where signed checkpoints and the public keys that signed them are kept, beside the audit
 * entries: `audit_checkpoints` and `audit_signing_keys` in PostgreSQL and PGlite, a list in
 * memory for the memory store. Append-only like the entries (migration 008's triggers).
 */
import type { AuditPublicKey } from './audit-signing-key.js';
import type { StoredAuditCheckpoint } from './audit-trail-reader.js';
import type { ChainHead } from './chain-head.js';

/** A chain whose last entries are not covered by any checkpoint. */
export interface UnsealedChainHead extends ChainHead {
  /** The chain's newest checkpoint, if it has one (its seq is below the head's). */
  readonly lastCheckpoint: StoredAuditCheckpoint | undefined;
}

export interface AuditCheckpointRepository {
  /** Records a public key (once: a key already known is left as it was). */
  registerSigningKey(key: AuditPublicKey, usedBy: string): Promise<void>;
  /** Every public key that was registered, oldest first. */
  signingKeys(): Promise<AuditPublicKey[]>;
  append(checkpoint: StoredAuditCheckpoint): Promise<void>;
  /** The checkpoints of one chain, or of all, by chain then seq then time. */
  checkpoints(chainId?: string): Promise<StoredAuditCheckpoint[]>;
  /** The newest checkpoint of the chain (highest seq, then latest). */
  latest(chainId: string): Promise<StoredAuditCheckpoint | undefined>;
  /**
   * The chains whose head (highest seq stored) is above their newest checkpoint, other than
   * `except` (the caller's own). A memory store has none: it starts empty.
   */
  unsealedChainHeads(except?: string): Promise<UnsealedChainHead[]>;
}
