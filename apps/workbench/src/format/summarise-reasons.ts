/** The one-line summary of a decision's reasons for the table: the first code and a count. */
import type { AuditReason } from '../api/gateway-types.js';

export function summariseReasons(reasons: readonly AuditReason[]): string {
  const [first, ...rest] = reasons;
  if (!first) return '—';
  return rest.length > 0 ? `${first.code} +${rest.length} more` : first.code;
}
