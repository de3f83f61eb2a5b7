/**
 * Raised by `append` when an entry with the same id is already stored; the stored entry
 * is left as it was (audit entries are never overwritten).
 */
export class DuplicateAuditLogEntryError extends Error {
  override readonly name: string = 'DuplicateAuditLogEntryError';

  constructor(
    readonly id: string,
    options?: ErrorOptions,
  ) {
    super(`an audit entry with id ${id} is already stored; entries are never overwritten`, options);
  }
}
