/**
 * The base of every decorator on the audit write path (batching, chaining, observing): it
 * implements the port by forwarding each method to the repository it wraps, so that a
 * decorator overrides only what it changes and still passes the contract suite
 * (`describeAuditLogEntryRepositoryContract` from `…/testing`).
 */
import type { AppendManyOptions } from './append-many-options.js';
import type { AppendManyResult } from './append-many-result.js';
import type { AuditLogEntry } from './audit-log-entry.js';
import type { AuditLogEntryRepository } from './audit-log-entry-repository.js';
import type { AuditLogPage, AuditLogQuery } from './audit-log-query.js';

/**
 * A decorator that changes how entries are written overrides both `append` and
 * `appendMany`; one that must flush or release something overrides `close` and calls
 * `super.close()` last.
 *
 * @example
 * class CountingWrites extends AuditLogEntryRepositoryDecorator {
 *   committed = 0;
 *   override async append(entry: AuditLogEntry): Promise<void> {
 *     await super.append(entry);
 *     this.committed += 1;
 *   }
 *   override async appendMany(
 *     entries: readonly AuditLogEntry[],
 *     options?: AppendManyOptions,
 *   ): Promise<AppendManyResult> {
 *     const result = await super.appendMany(entries, options);
 *     this.committed += result.results.filter((r) => r.status === 'committed').length;
 *     return result;
 *   }
 * }
 */
export abstract class AuditLogEntryRepositoryDecorator implements AuditLogEntryRepository {
  protected readonly inner: AuditLogEntryRepository;

  constructor(inner: AuditLogEntryRepository) {
    this.inner = inner;
  }

  get durable(): boolean {
    return this.inner.durable;
  }

  append(entry: AuditLogEntry): Promise<void> {
    return this.inner.append(entry);
  }

  appendMany(
    entries: readonly AuditLogEntry[],
    options?: AppendManyOptions,
  ): Promise<AppendManyResult> {
    return this.inner.appendMany(entries, options);
  }

  findById(id: string): Promise<AuditLogEntry | undefined> {
    return this.inner.findById(id);
  }

  findByIdempotencyKey(userId: string, idempotencyKey: string): Promise<AuditLogEntry | undefined> {
    return this.inner.findByIdempotencyKey(userId, idempotencyKey);
  }

  query(query: AuditLogQuery): Promise<AuditLogPage> {
    return this.inner.query(query);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
