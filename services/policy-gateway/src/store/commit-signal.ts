/**
 * A step of the write path that tells the commit feed once a write has committed, for the live
 * tails of this process. Outermost, above batching: a caller's `append` resolves when its
 * batch committed, and only a batch with a committed entry is worth a read.
 */
import {
  type AppendManyOptions,
  type AppendManyResult,
  type AuditLogEntry,
  type AuditLogEntryRepository,
  AuditLogEntryRepositoryDecorator,
} from '@policy-gateway/governance-runtime';
import type { AuditCommitFeed } from '../audit/audit-commit-feed.js';

export class CommitSignal extends AuditLogEntryRepositoryDecorator {
  constructor(
    inner: AuditLogEntryRepository,
    private readonly feed: AuditCommitFeed,
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
