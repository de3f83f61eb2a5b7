/**
 * What the audit write path tells whoever watches it (metrics): each batch it wrote to the
 * storage, how big, how long the write took and whether it failed. One batch is one
 * transaction, so `entries` is the batch-size histogram and `durationMs` the commit latency.
 */

/** One write of a batch to the storage (one transaction), committed or not. */
export interface AuditBatchWritten {
  /** Entries in the batch. */
  readonly entries: number;
  /** From the start of the write to its answer, in ms. */
  readonly durationMs: number;
  /**
   * Nothing of the batch was committed (the storage failed or refused it, or whether it
   * committed is unknown); its callers were answered with the error, or retried without
   * the entries that caused a refusal.
   */
  readonly failed: boolean;
}

/**
 * @example
 * const observer: AuditWriteObserver = {
 *   batchWritten: ({ entries, durationMs, failed }) => {
 *     batchSize.observe(entries);
 *     commitSeconds.observe({ outcome: failed ? 'failed' : 'committed' }, durationMs / 1000);
 *   },
 * };
 */
export interface AuditWriteObserver {
  /** Called after each batch write, on the write path itself: must be quick and not throw. */
  batchWritten(batch: AuditBatchWritten): void;
}
