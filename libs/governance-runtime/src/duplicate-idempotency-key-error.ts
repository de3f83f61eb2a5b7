/**
 * Raised by `append` (and reported by `appendMany`) when the user already has an entry
 * under the same idempotency key: the request was recorded once already, so this entry is
 * not stored. A kind of `DuplicateAuditLogEntryError`, since for the caller it means the
 * same thing (an entry for this request is stored and left intact); the caller that wants
 * the first answer reads it with `findByIdempotencyKey`.
 */
import { DuplicateAuditLogEntryError } from './duplicate-audit-log-entry-error.js';

export class DuplicateIdempotencyKeyError extends DuplicateAuditLogEntryError {
  override readonly name: string = 'DuplicateIdempotencyKeyError';

  constructor(
    /** The id of the entry that was not stored. */
    id: string,
    readonly userId: string,
    readonly idempotencyKey: string,
    options?: ErrorOptions,
  ) {
    super(id, options);
    this.message = `user ${JSON.stringify(userId)} already has an audit entry under idempotency key ${JSON.stringify(idempotencyKey)}; entry ${id} was not stored`;
  }
}
