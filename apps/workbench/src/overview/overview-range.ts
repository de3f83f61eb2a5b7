/**
 * The Overview's time ranges and their place in the URL (`?range=7d`): each preset is a span
 * ending at the next whole hour and the bucket its charts are drawn in, so that a range asks the
 * gateway for a few dozen buckets at most.
 */
import type { AuditStatsQueryParams } from '../api/gateway-types.js';

export type OverviewRange = '24h' | '7d' | '30d' | '90d';

export const OVERVIEW_RANGES: readonly {
  readonly value: OverviewRange;
  readonly label: string;
  readonly hours: number;
  readonly bucket: 'hour' | 'day';
}[] = [
  { value: '24h', label: 'Last 24 hours', hours: 24, bucket: 'hour' },
  { value: '7d', label: 'Last 7 days', hours: 7 * 24, bucket: 'day' },
  { value: '30d', label: 'Last 30 days', hours: 30 * 24, bucket: 'day' },
  { value: '90d', label: 'Last 90 days', hours: 90 * 24, bucket: 'day' },
];

export const DEFAULT_OVERVIEW_RANGE: OverviewRange = '7d';

const HOUR_MS = 3_600_000;

/** The range in `search` (`range`), the default when absent or unknown. */
export function parseOverviewRange(search: URLSearchParams): OverviewRange {
  const value = search.get('range');
  return OVERVIEW_RANGES.find((r) => r.value === value)?.value ?? DEFAULT_OVERVIEW_RANGE;
}

/** The stats query of a range, ending at the hour after `now` (so the current hour is in). */
export function statsQueryOf(range: OverviewRange, now: number): AuditStatsQueryParams {
  const preset = OVERVIEW_RANGES.find((r) => r.value === range) ?? OVERVIEW_RANGES[1]!;
  const until = Math.ceil((now + 1) / HOUR_MS) * HOUR_MS;
  return {
    since: new Date(until - preset.hours * HOUR_MS).toISOString(),
    until: new Date(until).toISOString(),
    bucket: preset.bucket,
    top: 10,
  };
}
