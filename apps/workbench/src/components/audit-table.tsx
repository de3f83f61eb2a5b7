/**
 * The Audit Log table: TanStack Table for the columns, TanStack Virtual so that only the rows in
 * view are in the DOM (tens of thousands stay fast). Rows are reached with the arrow keys
 * (one tab stop, roving focus) and open the detail panel with Enter or a click.
 */
import { type ColumnDef, flexRender, getCoreRowModel, useReactTable } from '@tanstack/react-table';
import { useVirtualizer } from '@tanstack/react-virtual';
import {
  type KeyboardEvent,
  type Ref,
  useEffect,
  useImperativeHandle,
  useMemo,
  useRef,
  useState,
} from 'react';
import { Link, useLocation } from 'react-router';
import type { AuditEntry } from '../api/gateway-types.js';
import { shortenDigest } from '../format/format-digest.js';
import { formatLatency } from '../format/format-latency.js';
import { describeInstant, formatLocalTime } from '../format/format-time.js';
import { summariseReasons } from '../format/summarise-reasons.js';
import { DecisionBadge } from './decision-badge.js';

export const ROW_HEIGHT = 44;
/** Start loading the next page when this many rows remain below the view. */
const LOAD_AHEAD_ROWS = 30;

/** History state of a detail panel opened from the table, so that closing it can go back. */
export const OPENED_FROM_LOG = { openedFromLog: true } as const;

export function wasOpenedFromLog(state: unknown): boolean {
  return typeof state === 'object' && state !== null && 'openedFromLog' in state;
}

export interface AuditTableHandle {
  scrollToTop(): void;
  /** Puts focus back on the row of `id` (after the detail panel closes), if it is loaded. */
  focusRow(id: string): void;
}

interface AuditTableProps {
  readonly entries: readonly AuditEntry[];
  readonly selectedId: string | undefined;
  readonly onOpen: (id: string) => void;
  readonly hasNextPage: boolean;
  readonly isFetchingNextPage: boolean;
  readonly fetchNextPage: () => void;
  readonly handle?: Ref<AuditTableHandle>;
}

function auditColumns(search: string): ColumnDef<AuditEntry>[] {
  return [
    {
      id: 'time',
      header: 'Time (local)',
      cell: ({ row }) => (
        <Link
          to={`/governance/audit/${encodeURIComponent(row.original.id)}${search}`}
          state={OPENED_FROM_LOG}
          className="row-link"
          tabIndex={-1}
          data-row-link=""
        >
          <time
            dateTime={row.original.occurred_at}
            title={describeInstant(row.original.occurred_at)}
          >
            {formatLocalTime(row.original.occurred_at)}
          </time>
        </Link>
      ),
    },
    {
      id: 'user',
      header: 'User',
      cell: ({ row }) => <span title={row.original.user_id}>{row.original.user_id}</span>,
    },
    {
      id: 'decision',
      header: 'Decision',
      cell: ({ row }) => <DecisionBadge decision={row.original.decision} />,
    },
    {
      id: 'policy',
      header: 'Policy',
      cell: ({ row }) => (
        <span className="policy-cell">
          <span className="policy-cell__path" title={row.original.policy_path}>
            {row.original.policy_path || '—'}
          </span>
          {row.original.policy_version && (
            <code className="policy-cell__version" title={row.original.policy_version}>
              {shortenDigest(row.original.policy_version)}
            </code>
          )}
        </span>
      ),
    },
    {
      id: 'reasons',
      header: 'Reasons',
      cell: ({ row }) => {
        const { reasons, error } = row.original;
        const title = reasons.map((r) => `${r.severity}: ${r.code}: ${r.message}`).join('\n');
        return (
          <span title={title || error || undefined} className="reasons-cell">
            {reasons.length === 0 && error ? `error: ${error}` : summariseReasons(reasons)}
          </span>
        );
      },
    },
    {
      id: 'latency',
      header: 'Latency',
      cell: ({ row }) => formatLatency(row.original.latency_ms),
    },
  ];
}

export function AuditTable(props: AuditTableProps) {
  const { entries, selectedId, onOpen, hasNextPage, isFetchingNextPage, fetchNextPage } = props;
  const location = useLocation();
  const scrollRef = useRef<HTMLElement>(null);
  const [activeIndex, setActiveIndex] = useState(0);
  const focusPending = useRef(false);

  const virtualizer = useVirtualizer({
    count: entries.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items.at(-1)?.index ?? -1;

  // The table model is built for the rows in view only: TanStack Table allocates a row object
  // per data item on every data change, which for tens of thousands of loaded entries turned each
  // appended page into a garbage-collection pause. Order comes from the server; nothing is sorted here.
  const visible = useMemo(() => entries.slice(first, last + 1), [entries, first, last]);
  const columns = useMemo(() => auditColumns(location.search), [location.search]);
  const table = useReactTable({
    data: visible as AuditEntry[],
    columns,
    getCoreRowModel: getCoreRowModel(),
    getRowId: (entry) => entry.id,
  });
  const rows = table.getRowModel().rows;

  useEffect(() => {
    if (hasNextPage && !isFetchingNextPage && last >= entries.length - LOAD_AHEAD_ROWS) {
      fetchNextPage();
    }
  }, [last, entries.length, hasNextPage, isFetchingNextPage, fetchNextPage]);

  const clampedActive = Math.min(activeIndex, Math.max(entries.length - 1, 0));

  useEffect(() => {
    if (!focusPending.current) return;
    const row = scrollRef.current?.querySelector<HTMLElement>(`tr[data-index="${clampedActive}"]`);
    if (row) {
      focusPending.current = false;
      row.focus();
    }
  });

  useImperativeHandle(props.handle, () => ({
    scrollToTop() {
      virtualizer.scrollToOffset(0);
      setActiveIndex(0);
    },
    focusRow(id: string) {
      const index = entries.findIndex((entry) => entry.id === id);
      if (index < 0) {
        scrollRef.current?.focus();
        return;
      }
      setActiveIndex(index);
      const rendered = scrollRef.current?.querySelector<HTMLElement>(`tr[data-index="${index}"]`);
      if (rendered) {
        rendered.focus();
        return;
      }
      focusPending.current = true;
      virtualizer.scrollToIndex(index, { align: 'auto' });
    },
  }));

  const moveTo = (index: number) => {
    const next = Math.max(0, Math.min(entries.length - 1, index));
    setActiveIndex(next);
    focusPending.current = true;
    virtualizer.scrollToIndex(next, { align: 'auto' });
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTableSectionElement>) => {
    const page = Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? 440) / ROW_HEIGHT) - 1);
    if ((event.target as HTMLElement).tagName !== 'TR') return;
    const targets: Record<string, number> = {
      ArrowDown: clampedActive + 1,
      ArrowUp: clampedActive - 1,
      PageDown: clampedActive + page,
      PageUp: clampedActive - page,
      Home: 0,
      End: entries.length - 1,
    };
    const target = targets[event.key];
    if (target !== undefined) {
      event.preventDefault();
      moveTo(target);
    } else if (event.key === 'Enter') {
      event.preventDefault();
      const entry = entries[clampedActive];
      if (entry) onOpen(entry.id);
    }
  };

  const paddingTop = items[0]?.start ?? 0;
  const paddingBottom = items.length > 0 ? virtualizer.getTotalSize() - items.at(-1)!.end : 0;

  return (
    <section ref={scrollRef} className="table-scroll" tabIndex={-1} aria-label="Audit log entries">
      <table className="audit-table" aria-rowcount={entries.length + 1}>
        <colgroup>
          <col className="col-time" />
          <col className="col-user" />
          <col className="col-decision" />
          <col className="col-policy" />
          <col className="col-reasons" />
          <col className="col-latency" />
        </colgroup>
        <thead>
          {table.getHeaderGroups().map((group) => (
            <tr key={group.id} aria-rowindex={1}>
              {group.headers.map((header) => (
                <th key={header.id} scope="col" className={`cell-${header.column.id}`}>
                  {flexRender(header.column.columnDef.header, header.getContext())}
                </th>
              ))}
            </tr>
          ))}
        </thead>
        <tbody onKeyDown={onKeyDown}>
          {/* Spacers stand for the rows scrolled out of the DOM: hidden from assistive technology so
              only real rows are announced (aria-rowindex gives their place in the log). */}
          {paddingTop > 0 && (
            // biome-ignore lint/a11y/noAriaHiddenOnFocusable: a spacer row has no tabindex, content or handler
            <tr className="spacer" aria-hidden="true">
              <td colSpan={6} style={{ height: paddingTop }} />
            </tr>
          )}
          {items.map((item, position) => {
            const row = rows[position];
            if (!row) return null;
            const selected = row.id === selectedId;
            return (
              <tr
                key={row.id}
                data-index={item.index}
                aria-rowindex={item.index + 2}
                aria-current={selected ? 'true' : undefined}
                tabIndex={item.index === clampedActive ? 0 : -1}
                className={`audit-row audit-row--${row.original.decision}${selected ? ' is-selected' : ''}`}
                style={{ height: ROW_HEIGHT }}
                onClick={(event) => {
                  setActiveIndex(item.index);
                  // The time link navigates by itself (and opens a new tab when modified).
                  if ((event.target as HTMLElement).closest('a')) return;
                  onOpen(row.id);
                }}
                onFocus={() => setActiveIndex(item.index)}
              >
                {row.getVisibleCells().map((cell) => (
                  <td key={cell.id} className={`cell-${cell.column.id}`}>
                    {flexRender(cell.column.columnDef.cell, cell.getContext())}
                  </td>
                ))}
              </tr>
            );
          })}
          {paddingBottom > 0 && (
            // biome-ignore lint/a11y/noAriaHiddenOnFocusable: a spacer row has no tabindex, content or handler
            <tr className="spacer" aria-hidden="true">
              <td colSpan={6} style={{ height: paddingBottom }} />
            </tr>
          )}
        </tbody>
      </table>
    </section>
  );
}
