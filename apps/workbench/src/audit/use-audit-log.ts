/**
 * The Audit Log's rows: cursor pages from `GET /governance/audit` through `useInfiniteQuery`.
 * The time range is resolved once for the first page and carried along with the cursor, so that
 * later pages continue the same window instead of a window that has slid since.
 */
import { type InfiniteData, useInfiniteQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import type { AuditEntry, AuditPage } from '../api/gateway-types.js';
import { useGateway } from '../config/gateway-context.js';
import {
  type AuditFilters,
  resolveTimeBounds,
  type TimeBounds,
  toAuditQueryParams,
} from './audit-filters.js';
import { auditLogKey } from './audit-query-keys.js';

export const AUDIT_PAGE_SIZE = 100;

export interface AuditLogPage extends AuditPage {
  readonly bounds: TimeBounds;
}

export type AuditLogData = InfiniteData<AuditLogPage, AuditPageParam>;

type AuditPageParam = (TimeBounds & { readonly cursor: string }) | null;

export function useAuditLog(filters: AuditFilters) {
  const { client } = useGateway();
  const query = useInfiniteQuery({
    queryKey: auditLogKey(client.baseUrl, filters),
    initialPageParam: null as AuditPageParam,
    queryFn: async ({ pageParam, signal }): Promise<AuditLogPage> => {
      const bounds = pageParam ?? resolveTimeBounds(filters, new Date());
      const page = await client.listAudit(
        {
          limit: AUDIT_PAGE_SIZE,
          cursor: pageParam?.cursor,
          ...toAuditQueryParams(filters, bounds),
        },
        signal,
      );
      return { ...page, bounds: { since: bounds.since, until: bounds.until } };
    },
    getNextPageParam: (last) =>
      last.next_cursor ? { cursor: last.next_cursor, ...last.bounds } : undefined,
    // A background refetch would insert new rows above the one being read; new decisions come
    // through the announced poll instead (use-newer-entries.ts).
    refetchOnWindowFocus: false,
    refetchOnReconnect: false,
  });
  const entries = useMemo<readonly AuditEntry[]>(
    () => query.data?.pages.flatMap((page) => page.entries) ?? [],
    [query.data],
  );
  return { ...query, entries };
}
