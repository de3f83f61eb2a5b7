/**
 * How `appendMany` treats a batch. By default each entry stands alone: duplicates and invalid
 * entries are left out and the rest committed. An all-or-nothing batch (`atomic`) is what a
 * hash chain needs: its entries carry consecutive sequence numbers, so committing some of
 * them would leave a gap. The chain decorator asks for it, and retries the entries that were
 * innocent once the duplicates are set aside.
 */
export interface AppendManyOptions {
  /**
   * Commit every entry of the batch or none. When any entry is invalid, a duplicate of a
   * stored entry (id or held idempotency key) or of an earlier entry of the batch, nothing is
   * committed: those entries are reported `invalid` or `duplicate` as usual, every other one
   * `failed` with an `AtomicBatchRefusedError` (also `result.error`). Default false.
   */
  readonly atomic?: boolean;
}
