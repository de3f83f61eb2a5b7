/**
 * The error a repository raises for a query it cannot run as asked: the HTTP layer maps
 * it to a 400 problem naming `field`.
 */

/** Named as in `AuditLogQuery`; an HTTP layer maps them to its own parameter names. */
export type AuditQueryField =
  | 'limit'
  | 'maxBytes'
  | 'cursor'
  | 'since'
  | 'until'
  | 'userId'
  | 'decision'
  | 'policyPath'
  | 'decisionId'
  | 'action'
  | 'gatewayInstance'
  | 'shadow';

export class InvalidAuditQueryError extends Error {
  override readonly name: string = 'InvalidAuditQueryError';

  constructor(
    readonly field: AuditQueryField,
    message: string,
  ) {
    super(message);
  }
}
