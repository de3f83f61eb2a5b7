/**
 * The Overview's stats (`GET /governance/audit/stats`) for a range, refreshed every minute while
 * shown, and kept while the next range loads so that the charts do not blink.
 */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { AuditStatsQueryParams } from '../api/gateway-types.js';
import { useGateway } from '../config/gateway-context.js';
import { auditKey } from './audit-query-keys.js';

export const STATS_REFRESH_MS = 60_000;

export function useAuditStats(query: AuditStatsQueryParams) {
  const { client } = useGateway();
  return useQuery({
    queryKey: [...auditKey(client.baseUrl), 'stats', query] as const,
    queryFn: ({ signal }) => client.auditStats(query, signal),
    placeholderData: keepPreviousData,
    refetchInterval: STATS_REFRESH_MS,
  });
}
