/**
 * The Audit Log tab: filters (in the URL), the live-update notice, the virtualised table with
 * cursor paging, the states a person needs to understand, and the detail panel route.
 */
import { useCallback, useMemo, useRef, useState } from 'react';
import { Outlet, useLocation, useMatch, useNavigate, useSearchParams } from 'react-router';
import { GatewayUnreachableError } from '../api/gateway-errors.js';
import type { AuditEntry } from '../api/gateway-types.js';
import {
  type AuditFilters,
  hasActiveFilters,
  parseAuditFilters,
  toAuditQueryParams,
  writeAuditFilters,
} from '../audit/audit-filters.js';
import { useAuditLog } from '../audit/use-audit-log.js';
import { LIVE_POLL_MS, useNewerEntries } from '../audit/use-newer-entries.js';
import { EVALUATE_ROLES } from '../session/role-requirements.js';
import { useMayUse } from '../session/session-context.js';
import { AuditExportButton } from './audit-export-button.js';
import { AuditFiltersBar } from './audit-filters-bar.js';
import {
  AuditTable,
  type AuditTableHandle,
  OPENED_FROM_LOG,
  wasOpenedFromLog,
} from './audit-table.js';
import { NewEntriesNotice } from './new-entries-notice.js';

export interface AuditLogOutletContext {
  readonly entries: readonly AuditEntry[];
  readonly closeDetail: () => void;
}

export function AuditLogTab() {
  const [search] = useSearchParams();
  const location = useLocation();
  const navigate = useNavigate();
  const detailMatch = useMatch('/governance/audit/:id');
  const selectedId = detailMatch?.params.id;
  const filters = useMemo(() => parseAuditFilters(search), [search]);
  const [live, setLive] = useState(true);
  const tableRef = useRef<AuditTableHandle>(null);

  const log = useAuditLog(filters);
  const { entries } = log;
  const bounds = log.data?.pages[0]?.bounds;
  const newer = useNewerEntries({ filters, entries, bounds, live });
  const exportParams = useMemo(
    () =>
      bounds === undefined
        ? undefined
        : toAuditQueryParams(filters, { since: bounds.since, until: bounds.until }),
    [filters, bounds],
  );

  const setFilters = useCallback(
    (next: AuditFilters, options: { replace: boolean }) => {
      // Changing filters closes the detail panel: the entry may not be in the new view.
      navigate({ pathname: '/governance', search: `?${writeAuditFilters(search, next)}` }, options);
    },
    [navigate, search],
  );

  const openDetail = useCallback(
    (id: string) =>
      navigate(`/governance/audit/${encodeURIComponent(id)}${location.search}`, {
        state: OPENED_FROM_LOG,
      }),
    [navigate, location.search],
  );

  const closeDetail = useCallback(() => {
    // Opened from the log: closing is going back, so Back never walks through closed panels.
    // Opened from a link: there may be nothing to go back to, so go to the log instead.
    if (wasOpenedFromLog(location.state)) navigate(-1);
    else navigate(`/governance${location.search}`);
    if (selectedId) {
      const id = selectedId;
      // After the route change has rendered, return focus to the row that was open.
      requestAnimationFrame(() => tableRef.current?.focusRow(id));
    }
  }, [navigate, location.search, location.state, selectedId]);

  const showNewer = () => {
    newer.show();
    tableRef.current?.scrollToTop();
  };

  const policySuggestions = useMemo(
    () => [...new Set(entries.map((entry) => entry.policy_path).filter(Boolean))].sort(),
    [entries],
  );

  const hasMore = log.hasNextPage;
  const mayEvaluate = useMayUse(EVALUATE_ROLES);
  return (
    <div className="audit-log">
      <AuditFiltersBar
        filters={filters}
        onChange={setFilters}
        policySuggestions={policySuggestions}
      />
      <div className="toolbar">
        <p className="toolbar__count" aria-live="polite">
          {log.isSuccess &&
            entries.length > 0 &&
            `${entries.length.toLocaleString()} decision${entries.length === 1 ? '' : 's'} shown${hasMore ? ', more available' : ''}`}
        </p>
        <NewEntriesNotice count={newer.newer.length} overflow={newer.overflow} onShow={showNewer} />
        <AuditExportButton params={exportParams} />
        <label className="switch">
          <input
            type="checkbox"
            checked={live}
            onChange={(event) => setLive(event.target.checked)}
          />
          <span>
            Live updates{' '}
            <span className="muted">
              (
              {live ? (newer.streaming ? 'streaming' : `every ${LIVE_POLL_MS / 1000} s`) : 'paused'}
              )
            </span>
          </span>
        </label>
      </div>

      {log.isPending ? (
        <div className="state" role="status">
          <span className="spinner" aria-hidden="true" /> Loading decisions…
        </div>
      ) : log.isError && entries.length === 0 ? (
        <div className="state state--error" role="alert">
          {log.error instanceof GatewayUnreachableError
            ? 'Decisions cannot be loaded while the gateway is unreachable.'
            : `Decisions could not be loaded: ${log.error.message}`}
        </div>
      ) : entries.length === 0 ? (
        <div className="state state--empty" role="status">
          <p className="state__title">
            {hasActiveFilters(filters) ? 'No decisions match these filters' : 'No decisions yet'}
          </p>
          <p className="muted">
            {hasActiveFilters(filters)
              ? 'Widen the time range or clear a filter.'
              : `Decisions appear here as the gateway makes them.${mayEvaluate ? ' Try one from the Evaluate tab.' : ''}`}
          </p>
        </div>
      ) : (
        <>
          <AuditTable
            handle={tableRef}
            entries={entries}
            selectedId={selectedId}
            onOpen={openDetail}
            hasNextPage={hasMore}
            isFetchingNextPage={log.isFetchingNextPage}
            fetchNextPage={() => void log.fetchNextPage()}
          />
          <div className="table-footer">
            {hasMore ? (
              <button
                type="button"
                className="button"
                onClick={() => void log.fetchNextPage()}
                disabled={log.isFetchingNextPage}
              >
                {log.isFetchingNextPage ? 'Loading more…' : 'Load more'}
              </button>
            ) : (
              <span className="muted">End of the log for these filters.</span>
            )}
            {log.isFetchNextPageError && (
              <span className="state--error-text" role="alert">
                Could not load more: {log.error?.message}
              </span>
            )}
          </div>
        </>
      )}
      <Outlet context={{ entries, closeDetail } satisfies AuditLogOutletContext} />
    </div>
  );
}
