/**
 * Live updates without moving the rows a person is reading: polls for entries newer than the
 * newest one in view and reports them, and `show()` merges them in only when asked.
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useMemo } from 'react';
import type { AuditEntry } from '../api/gateway-types.js';
import { useGateway } from '../config/gateway-context.js';
import { type AuditFilters, type TimeBounds, toAuditQueryParams } from './audit-filters.js';
import { auditLogKey, auditNewerKey } from './audit-query-keys.js';
import type { AuditLogData } from './use-audit-log.js';

export const LIVE_POLL_MS = 5000;
export const NEWER_PAGE_SIZE = 250;

interface NewerEntriesOptions {
  readonly filters: AuditFilters;
  /** Entries in view, newest first. */
  readonly entries: readonly AuditEntry[];
  /** The time window of the view's first page, or undefined before it loaded. */
  readonly bounds: TimeBounds | undefined;
  readonly live: boolean;
}

export function useNewerEntries({ filters, entries, bounds, live }: NewerEntriesOptions) {
  const { client } = useGateway();
  const queryClient = useQueryClient();
  const newest = entries[0]?.occurred_at ?? null;
  const query = useQuery({
    queryKey: auditNewerKey(client.baseUrl, filters, newest),
    queryFn: ({ signal }) =>
      client.listAudit(
        {
          limit: NEWER_PAGE_SIZE,
          // `since` is inclusive, so the newest entry in view comes back too; it is filtered
          // out by id below, which also handles several entries in the same microsecond.
          ...toAuditQueryParams(filters, { since: newest ?? bounds?.since, until: bounds?.until }),
        },
        signal,
      ),
    enabled: live && bounds !== undefined,
    refetchInterval: live ? LIVE_POLL_MS : false,
  });

  const newer = useMemo(() => {
    if (!query.data) return [];
    const known = new Set(entries.map((entry) => entry.id));
    return query.data.entries.filter((entry) => !known.has(entry.id));
  }, [query.data, entries]);
  const overflow = query.data?.next_cursor != null;

  const show = useCallback(() => {
    const logKey = auditLogKey(client.baseUrl, filters);
    if (overflow) {
      // More arrived than one poll returns: reload from the top rather than leave a gap.
      void queryClient.resetQueries({ queryKey: logKey, exact: true });
      return;
    }
    queryClient.setQueryData<AuditLogData>(logKey, (data) => {
      const [first, ...rest] = data?.pages ?? [];
      if (!data || !first) return data;
      return { ...data, pages: [{ ...first, entries: [...newer, ...first.entries] }, ...rest] };
    });
  }, [client.baseUrl, filters, newer, overflow, queryClient]);

  return { newer, overflow, show, error: query.error };
}
