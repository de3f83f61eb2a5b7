/**
 * Raised by `AccessLogRepository.append` for a record no adapter could store faithfully (a
 * malformed id or timestamp, a string PostgreSQL rejects), by every adapter alike.
 */
export class InvalidAccessLogRecordError extends Error {
  override readonly name: string = 'InvalidAccessLogRecordError';

  constructor(
    /** The record field at fault, as a path: `occurredAt`, `parameters.user_id`. */
    readonly field: string,
    problem: string,
  ) {
    super(`access log record field ${field} ${problem}`);
  }
}
