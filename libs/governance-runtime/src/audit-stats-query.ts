/**
 * What `GET /governance/audit/stats` asks of the trail: a time range cut into buckets of an
 * hour or a day (UTC), and how many reasons and users to rank. The range is widened to whole
 * buckets and bounded, so that an answer never has more than `AUDIT_STATS_MAX_BUCKETS` buckets
 * nor covers more than `AUDIT_STATS_MAX_RANGE_DAYS` days, whatever is asked.
 */
import { InvalidAuditStatsQueryError } from './invalid-audit-stats-query-error.js';

export const AUDIT_STATS_BUCKETS = Object.freeze(['hour', 'day'] as const);

export type AuditStatsBucket = (typeof AUDIT_STATS_BUCKETS)[number];

export const AUDIT_STATS_MAX_BUCKETS = 1000;
export const AUDIT_STATS_MAX_RANGE_DAYS = 400;
export const AUDIT_STATS_MAX_TOP = 50;
export const AUDIT_STATS_DEFAULT_TOP = 10;
/** The range when `since` is not given: this many days before `until`. */
export const AUDIT_STATS_DEFAULT_DAYS = 7;

const BUCKET_MS: Readonly<Record<AuditStatsBucket, number>> = Object.freeze({
  hour: 3_600_000,
  day: 86_400_000,
});
const DAY_MS = 86_400_000;

export interface AuditStatsQuery {
  /** Inclusive lower bound, RFC 3339; `until` less 7 days when omitted. */
  readonly since?: string;
  /** Exclusive upper bound, RFC 3339; now when omitted. */
  readonly until?: string;
  /** `hour` for a range of up to 3 days, `day` beyond, when omitted. */
  readonly bucket?: AuditStatsBucket;
  /** How many reasons and users to rank, 1 to 50; 10 when omitted. */
  readonly top?: number;
}

/** The query with its range widened to whole buckets, as epoch ms. */
export interface ResolvedAuditStatsQuery {
  readonly sinceMs: number;
  readonly untilMs: number;
  readonly bucket: AuditStatsBucket;
  readonly bucketMs: number;
  readonly top: number;
  /** The start of each bucket, oldest first. */
  readonly bucketStarts: readonly number[];
}

/** @throws InvalidAuditStatsQueryError naming the parameter at fault. */
export function resolveAuditStatsQuery(
  query: AuditStatsQuery,
  now: number = Date.now(),
): ResolvedAuditStatsQuery {
  const until = query.until === undefined ? now : instant('until', query.until);
  const since =
    query.since === undefined
      ? until - AUDIT_STATS_DEFAULT_DAYS * DAY_MS
      : instant('since', query.since);
  if (since >= until) {
    throw new InvalidAuditStatsQueryError('since', 'since must be before until');
  }
  if (until - since > AUDIT_STATS_MAX_RANGE_DAYS * DAY_MS) {
    throw new InvalidAuditStatsQueryError(
      'since',
      `the range must not exceed ${AUDIT_STATS_MAX_RANGE_DAYS} days`,
    );
  }
  const bucket = query.bucket ?? (until - since <= 3 * DAY_MS ? 'hour' : 'day');
  if (!AUDIT_STATS_BUCKETS.includes(bucket)) {
    throw new InvalidAuditStatsQueryError('bucket', 'bucket must be hour or day');
  }
  const top = query.top ?? AUDIT_STATS_DEFAULT_TOP;
  if (!Number.isInteger(top) || top < 1 || top > AUDIT_STATS_MAX_TOP) {
    throw new InvalidAuditStatsQueryError(
      'top',
      `top must be an integer from 1 to ${AUDIT_STATS_MAX_TOP}`,
    );
  }
  const bucketMs = BUCKET_MS[bucket];
  const sinceMs = Math.floor(since / bucketMs) * bucketMs;
  const untilMs = Math.ceil(until / bucketMs) * bucketMs;
  const count = (untilMs - sinceMs) / bucketMs;
  if (count > AUDIT_STATS_MAX_BUCKETS) {
    throw new InvalidAuditStatsQueryError(
      'bucket',
      `the range holds ${count} ${bucket} buckets, more than ${AUDIT_STATS_MAX_BUCKETS}; choose a larger bucket or a shorter range`,
    );
  }
  const bucketStarts = Array.from({ length: count }, (_, i) => sinceMs + i * bucketMs);
  return { sinceMs, untilMs, bucket, bucketMs, top, bucketStarts };
}

function instant(field: 'since' | 'until', value: string): number {
  const ms = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(ms)) {
    throw new InvalidAuditStatsQueryError(field, `${field} must be an RFC 3339 date-time`);
  }
  return ms;
}
