/**
 * A step of the write path that tells of a write once it has committed: the commit feed, for
 * the live tails of this process, and the PostgreSQL store's `CommitNoticeSender`, for other
 * replicas'. Outermost, above batching: a caller's `append` resolves when its batch committed,
 * and only a batch with a committed entry is worth a read.
 */
import {
  type AppendManyOptions,
  type AppendManyResult,
  type AuditLogEntry,
  type AuditLogEntryRepository,
  AuditLogEntryRepositoryDecorator,
} from '@policy-gateway/governance-runtime';

/** Told after each write with a committed entry; must not throw or wait. */
export interface CommitListener {
  notify(): void;
}

export class CommitSignal extends AuditLogEntryRepositoryDecorator {
  constructor(
    inner: AuditLogEntryRepository,
    private readonly feed: CommitListener,
  ) {
    super(inner);
  }

  override async append(entry: AuditLogEntry): Promise<void> {
    await super.append(entry);
    this.feed.notify();
  }

  override async appendMany(
    entries: readonly AuditLogEntry[],
    options?: AppendManyOptions,
  ): Promise<AppendManyResult> {
    const result = await super.appendMany(entries, options);
    if (result.results.some((outcome) => outcome.status === 'committed')) this.feed.notify();
    return result;
  }
}
