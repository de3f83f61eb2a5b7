/**
 * The error an access-log repository raises for a query it cannot run as asked; the HTTP
 * layer maps it to a 400 problem naming `field`. A bad cursor is the audit log's
 * `InvalidCursorError`, since both logs share the cursor format.
 */

/** Named as in `AccessLogQuery`; an HTTP layer maps them to its own parameter names. */
export type AccessLogQueryField = 'limit' | 'since' | 'until' | 'principalId' | 'route' | 'entryId';

export class InvalidAccessLogQueryError extends Error {
  override readonly name: string = 'InvalidAccessLogQueryError';

  constructor(
    readonly field: AccessLogQueryField,
    message: string,
  ) {
    super(message);
  }
}
