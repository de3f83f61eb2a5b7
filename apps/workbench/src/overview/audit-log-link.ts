/**
 * Links from the Overview into the Audit Log, filtered to what was clicked: the Audit Log's own
 * filter parameters (`audit-filters.ts`), over a custom time range, so that the list opens
 * showing the entries a bar, a user or a version counts.
 */
import type { AuditDecision } from '../api/gateway-types.js';
import { NO_FILTERS, writeAuditFilters } from '../audit/audit-filters.js';
import { GOVERNANCE_PATH } from '../governance-tabs.js';

export interface AuditLogSelection {
  /** RFC 3339, inclusive. */
  readonly from: string;
  /** RFC 3339, exclusive. */
  readonly to: string;
  readonly decision?: AuditDecision;
  readonly user?: string;
}

/**
 * @example
 * auditLogLink({ from: '2026-12-01T00:00:00.000Z', to: '2026-12-02T00:00:00.000Z', decision: 'deny' })
 * // '/governance?decision=deny&range=custom&from=2026-12-01T00%3A00%3A00.000Z&to=…'
 */
export function auditLogLink(selection: AuditLogSelection): string {
  const search = writeAuditFilters(new URLSearchParams(), {
    ...NO_FILTERS,
    decision: selection.decision ?? '',
    user: selection.user ?? '',
    range: 'custom',
    from: selection.from,
    to: selection.to,
  });
  return `${GOVERNANCE_PATH}?${search}`;
}
