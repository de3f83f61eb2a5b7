/**
 * Tells the live tails (`GET /governance/audit/stream`) that entries were committed, so that
 * each reads what is new for its filters at once instead of polling. Told by the write path of
 * this process (`CommitSignal`) and by the store's notices of commits made elsewhere (another
 * replica or worker, through PostgreSQL's NOTIFY, which each writer sends after its commit). A
 * notice carries nothing: the trail itself, read with each tail's filters, says what is new, so
 * a notice lost (a writer that died between its commit and its notice), doubled or merged with
 * another costs at most a read, or a wait until the tail's next heartbeat; never an entry.
 */

export type AuditCommitListener = () => void;

/** What a store offers of commits made by other processes (`AuditStore.commits`). */
export interface AuditCommitNotices {
  /** `listener` is called after commits, and whenever some may have been missed. */
  subscribe(listener: AuditCommitListener): () => void;
  close(): Promise<void>;
}

export class AuditCommitFeed {
  readonly #listeners = new Set<AuditCommitListener>();

  subscribe(listener: AuditCommitListener): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** Entries were committed (or may have been): every listener reads again. */
  notify(): void {
    for (const listener of this.#listeners) listener();
  }

  get listeners(): number {
    return this.#listeners.size;
  }
}
