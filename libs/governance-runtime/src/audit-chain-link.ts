/**
 * Where an entry stands in its hash chain. A chain is one writer process run: the chain
 * decorator (`HashChainedAuditLog`) picks a random UUID when the write path opens, numbers
 * the entries it commits 1, 2, 3… without gaps, and links each to the one before by hash.
 * Replicas each write their own chain, so no writer waits for another's sequence.
 */

export interface AuditChainLink {
  /** The chain (one per writer process run), a lower-case UUID. */
  readonly chainId: string;
  /** 1 for the chain's first entry, then +1 per entry, without gaps. */
  readonly seq: number;
  /** The previous entry's `entryHash`; for seq 1 the chain's genesis hash (`chainGenesisHash`). */
  readonly prevHash: string;
  /** SHA-256, hex, of the entry's canonical preimage (`auditEntryHashPreimage`). */
  readonly entryHash: string;
}

/** The hex SHA-256 digests of a chain: 64 lower-case hex digits. */
export const CHAIN_HASH_PATTERN = /^[0-9a-f]{64}$/;
