/**
 * A stats query that cannot be answered as asked (a bad or too large range, an unknown bucket):
 * the HTTP layer maps it to a 400 problem naming `field`.
 */

export type AuditStatsQueryField = 'since' | 'until' | 'bucket' | 'top';

export class InvalidAuditStatsQueryError extends Error {
  override readonly name: string = 'InvalidAuditStatsQueryError';

  constructor(
    readonly field: AuditStatsQueryField,
    message: string,
  ) {
    super(message);
  }
}
