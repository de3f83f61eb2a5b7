/**
 * The `/governance/audit/:id` route: shows the entry from the loaded log when it is there (no
 * wait), else fetches it, so a deep link opens the same panel as a click on a row.
 */
import { useQuery } from '@tanstack/react-query';
import { useOutletContext, useParams } from 'react-router';
import { GatewayProblemError, GatewayUnreachableError } from '../api/gateway-errors.js';
import { auditEntryKey } from '../audit/audit-query-keys.js';
import { useGateway } from '../config/gateway-context.js';
import { AuditDetailPanel } from './audit-detail-panel.js';
import type { AuditLogOutletContext } from './audit-log-tab.js';

export function AuditDetailRoute() {
  const { id = '' } = useParams();
  const { client } = useGateway();
  const { entries, closeDetail } = useOutletContext<AuditLogOutletContext>();
  const loaded = entries.find((entry) => entry.id === id);
  const query = useQuery({
    queryKey: auditEntryKey(client.baseUrl, id),
    queryFn: ({ signal }) => client.getAuditEntry(id, signal),
    enabled: loaded === undefined && id !== '',
    // Entries are immutable facts: once read, they never need refetching.
    staleTime: Number.POSITIVE_INFINITY,
  });
  const entry = loaded ?? query.data;
  return (
    <AuditDetailPanel
      id={id}
      entry={entry}
      problem={entry ? null : describeProblem(query.error, id)}
      onClose={closeDetail}
    />
  );
}

function describeProblem(error: Error | null, id: string): string | null {
  if (!error) return null;
  if (error instanceof GatewayProblemError && error.status === 404) {
    return `No audit entry with id ${id}. It may have been recorded by a gateway with a memory store that has since restarted.`;
  }
  if (error instanceof GatewayUnreachableError) return error.message;
  return `Could not load entry ${id}: ${error.message}`;
}
