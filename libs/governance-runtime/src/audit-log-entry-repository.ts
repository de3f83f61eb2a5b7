/**
 * The port through which the gateway writes and reads the audit trail. Adapters:
 * `memory/` (bounded, not durable) and `postgres/` (PostgreSQL server or PGlite). All of
 * them pass one contract suite, so they differ in durability and nothing else. Behaviour
 * added on the write path is a decorator on this port (`AuditLogEntryRepositoryDecorator`).
 */
import type { AppendManyOptions } from './append-many-options.js';
import type { AppendManyResult } from './append-many-result.js';
import type { AuditLogEntry } from './audit-log-entry.js';
import type { AuditLogPage, AuditLogQuery } from './audit-log-query.js';

export interface AuditLogEntryRepository {
  /** Whether entries survive a restart of the process. */
  readonly durable: boolean;
  /**
   * Stores the entry; resolves only once it is committed. Rejects if it could not be:
   * `InvalidAuditLogEntryError` for an entry no adapter could store faithfully,
   * `DuplicateAuditLogEntryError` for an id already stored (left intact), its kind
   * `DuplicateIdempotencyKeyError` for an entry that decided under an idempotency key its
   * user already has on such an entry, or the database's own error when it is unreachable
   * (nothing committed). `CommitOutcomeUnknownError` when the storage cannot say whether it
   * committed (`CommitOutcomeResolver` finds out).
   */
  append(entry: AuditLogEntry): Promise<void>;
  /**
   * Stores a batch in one transaction and reports one outcome per entry, in input order;
   * resolves once that transaction has committed, and never rejects for an entry's or the
   * storage's sake. Invalid entries (as `append` would refuse them) are reported and left
   * out; so are entries whose id is already stored or comes earlier in the batch (the
   * first one given is stored); the rest are committed together. When the storage fails,
   * none is committed: every entry that was not invalid is `failed`, and `error` says why,
   * unless `error` is a `CommitOutcomeUnknownError` (whether the batch committed is unknown).
   * An entry that decided under an idempotency key its user already has, stored or earlier
   * in the batch, is a `duplicate` with a `DuplicateIdempotencyKeyError`.
   * An empty batch touches nothing. With `{ atomic: true }` the batch is all-or-nothing: if
   * any entry is invalid or a duplicate, none is committed (see `AppendManyOptions`).
   *
   * @example
   * const { results } = await repository.appendMany([a, b, a]);
   * // [{ id: a.id, status: 'committed' }, { id: b.id, status: 'committed' },
   * //  { id: a.id, status: 'duplicate', error: DuplicateAuditLogEntryError }]
   */
  appendMany(
    entries: readonly AuditLogEntry[],
    options?: AppendManyOptions,
  ): Promise<AppendManyResult>;
  /** The entry with this id (any letter case), or undefined, also for a non-UUID id. */
  findById(id: string): Promise<AuditLogEntry | undefined>;
  /**
   * The entry that holds this idempotency key for this user: the one that decided (`allow`
   * or `deny`) under it, or undefined. Keys compare exactly, letter case included.
   */
  findByIdempotencyKey(userId: string, idempotencyKey: string): Promise<AuditLogEntry | undefined>;
  /**
   * Newest first by `(occurredAt, id)`, keyset-paginated. Rejects with
   * `InvalidAuditQueryError` naming the field for a bad limit or time bound, and with
   * its subclass `InvalidCursorError` for a cursor it did not issue.
   */
  query(query: AuditLogQuery): Promise<AuditLogPage>;
  close(): Promise<void>;
}
