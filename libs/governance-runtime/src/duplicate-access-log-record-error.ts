/** An access-log record with this id is stored already; the stored one is left intact. */
export class DuplicateAccessLogRecordError extends Error {
  override readonly name: string = 'DuplicateAccessLogRecordError';

  constructor(
    readonly id: string,
    options?: ErrorOptions,
  ) {
    super(`an access log record with id ${id} is stored already`, options);
  }
}
