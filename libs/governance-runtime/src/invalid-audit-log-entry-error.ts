/**
 * Raised by `append` for an entry no adapter could store faithfully (a malformed id or
 * timestamp, a string PostgreSQL rejects). Raised by every adapter alike, so the memory
 * store does not accept what the database would refuse.
 */
export class InvalidAuditLogEntryError extends Error {
  override readonly name: string = 'InvalidAuditLogEntryError';

  constructor(
    /** The entry field at fault, as a path: `occurredAt`, `input.messages[2].text`. */
    readonly field: string,
    problem: string,
  ) {
    super(`audit entry field ${field} ${problem}`);
  }
}
