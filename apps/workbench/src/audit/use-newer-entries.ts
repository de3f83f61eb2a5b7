/**
 * Live updates without moving the rows a person is reading: entries newer than the newest one
 * in view, from the gateway's live tail (`use-audit-stream.ts`), or by polling while the tail is
 * not open; reported, and merged in by `show()` only when asked.
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useMemo } from 'react';
import type { AuditEntry } from '../api/gateway-types.js';
import { useGateway } from '../config/gateway-context.js';
import { type AuditFilters, type TimeBounds, toAuditQueryParams } from './audit-filters.js';
import { auditLogKey, auditNewerKey } from './audit-query-keys.js';
import type { AuditLogData } from './use-audit-log.js';
import { useAuditStream } from './use-audit-stream.js';

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
  const params = useMemo(
    () => toAuditQueryParams(filters, { since: bounds?.since, until: bounds?.until }),
    [filters, bounds?.since, bounds?.until],
  );
  const stream = useAuditStream({
    params,
    newest: entries[0],
    enabled: live && bounds !== undefined,
  });
  const polling = live && bounds !== undefined && stream.status !== 'open';
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
    enabled: polling,
    refetchInterval: polling ? LIVE_POLL_MS : false,
  });

  const newer = useMemo(() => {
    const known = new Set(entries.map((entry) => entry.id));
    const polled = polling ? (query.data?.entries ?? []) : [];
    const unseen = new Map<string, AuditEntry>();
    for (const entry of [...stream.entries, ...polled]) {
      if (!known.has(entry.id)) unseen.set(entry.id, entry);
    }
    return [...unseen.values()].sort((a, b) =>
      a.occurred_at === b.occurred_at
        ? b.id.localeCompare(a.id)
        : b.occurred_at.localeCompare(a.occurred_at),
    );
  }, [query.data, stream.entries, entries, polling]);
  const overflow = stream.overflow || (polling && query.data?.next_cursor != null);
  const clearStream = stream.clear;

  const show = useCallback(() => {
    const logKey = auditLogKey(client.baseUrl, filters);
    if (overflow) {
      // More arrived than one poll returns: reload from the top rather than leave a gap.
      void queryClient.resetQueries({ queryKey: logKey, exact: true });
      clearStream();
      return;
    }
    queryClient.setQueryData<AuditLogData>(logKey, (data) => {
      const [first, ...rest] = data?.pages ?? [];
      if (!data || !first) return data;
      return { ...data, pages: [{ ...first, entries: [...newer, ...first.entries] }, ...rest] };
    });
    clearStream();
  }, [client.baseUrl, filters, newer, overflow, queryClient, clearStream]);

  return { newer, overflow, show, error: query.error, streaming: stream.status === 'open' };
}
