/**
 * The last committed entry of a hash chain: what a checkpoint signs. `seq` 0 with the
 * genesis hash is a chain with no entry yet.
 */
export interface ChainHead {
  readonly chainId: string;
  /** The seq of the chain's last committed entry; 0 before the first. */
  readonly seq: number;
  /** That entry's `entryHash`; the chain's genesis hash before the first. */
  readonly entryHash: string;
}

/**
 * Told by the chain decorator about its head: after each committed batch, and once when the
 * write path closes (after the last batch, before the storage is closed), e.g. to sign
 * checkpoints (`ChainCheckpointer`).
 */
export interface ChainHeadObserver {
  /** The head moved to `head` by committing `committed` more entries. Must not throw. */
  committed(head: ChainHead, committed: number): void;
  /** The chain is closing and `head` is its last head; awaited before the storage closes. */
  closing(head: ChainHead): Promise<void>;
}
