/**
 * Raised by `append` when the write path's queue of entries waiting for a batch is full
 * (group commit, `GroupCommitQueue`): the storage is not keeping up, and waiting longer would
 * only grow the queue. Nothing of the entry was written; the caller may retry shortly
 * (the HTTP API answers 503 with `Retry-After`).
 */
export class AuditWriteQueueFullError extends Error {
  override readonly name: string = 'AuditWriteQueueFullError';

  constructor(
    /** The entries already waiting. */
    readonly queuedEntries: number,
    /** The bound of the queue. */
    readonly maxQueuedEntries: number,
  ) {
    super(
      `the audit write queue is full (${queuedEntries} entries waiting, the limit is ${maxQueuedEntries}): the audit store is not keeping up; nothing was written`,
    );
  }
}
