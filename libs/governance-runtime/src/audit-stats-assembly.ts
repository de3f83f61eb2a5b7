/**
 * Builds an `AuditStats` answer from counts already grouped by the query's buckets, wherever
 * they came from (roll-up tables, or the entries of the memory store): zero-filled buckets in
 * order, percentiles from merged histograms, reasons and users ranked and cut to `top`.
 */
import type { AuditDecision } from './audit-log-entry.js';
import type {
  AuditStats,
  AuditStatsPolicyVersion,
  AuditStatsSource,
  AuditStatsUser,
  LatencyPercentiles,
} from './audit-stats.js';
import type { ResolvedAuditStatsQuery } from './audit-stats-query.js';
import { LatencyHistogram } from './latency-histogram.js';

export type LatencyKind = 'evaluation' | 'end_to_end';

/** Counts keyed by the start of the query's bucket (epoch ms). */
export interface AuditStatsCounts {
  readonly decisions: Iterable<{ bucket: number; decision: AuditDecision; entries: number }>;
  readonly latency: Iterable<{ bucket: number; kind: LatencyKind; bin: number; entries: number }>;
  /** Per reason code and bucket; any codes (the ranking keeps `top`). */
  readonly reasons: Iterable<{ bucket: number; code: string; entries: number }>;
  /** Denials per user over the whole range; any users (the ranking keeps `top`). */
  readonly denials: Iterable<AuditStatsUser>;
  readonly policyVersions: Iterable<AuditStatsPolicyVersion>;
  readonly sources: Iterable<AuditStatsSource>;
}

export function assembleAuditStats(
  q: ResolvedAuditStatsQuery,
  counts: AuditStatsCounts,
): AuditStats {
  const index = new Map(q.bucketStarts.map((start, i) => [start, i]));
  const slot = (bucket: number): number | undefined => index.get(bucket);
  const decisions = q.bucketStarts.map(() => ({ allow: 0, deny: 0, error: 0 }));
  for (const row of counts.decisions) {
    const i = slot(row.bucket);
    if (i !== undefined) decisions[i]![row.decision] += row.entries;
  }
  const histograms = q.bucketStarts.map(() => ({
    evaluation: new LatencyHistogram(),
    end_to_end: new LatencyHistogram(),
  }));
  const overall = { evaluation: new LatencyHistogram(), end_to_end: new LatencyHistogram() };
  for (const row of counts.latency) {
    const i = slot(row.bucket);
    if (i === undefined) continue;
    histograms[i]![row.kind].add(row.bin, row.entries);
    overall[row.kind].add(row.bin, row.entries);
  }
  const reasons = new Map<string, number[]>();
  for (const row of counts.reasons) {
    const i = slot(row.bucket);
    if (i === undefined) continue;
    let trend = reasons.get(row.code);
    if (trend === undefined) {
      trend = q.bucketStarts.map(() => 0);
      reasons.set(row.code, trend);
    }
    trend[i]! += row.entries;
  }
  const totals = { allow: 0, deny: 0, error: 0 };
  for (const d of decisions) {
    totals.allow += d.allow;
    totals.deny += d.deny;
    totals.error += d.error;
  }
  return {
    since: new Date(q.sinceMs).toISOString(),
    until: new Date(q.untilMs).toISOString(),
    bucket: q.bucket,
    totals,
    evaluationMs: percentiles(overall.evaluation),
    endToEndMs: percentiles(overall.end_to_end),
    buckets: q.bucketStarts.map((start, i) => ({
      start: new Date(start).toISOString(),
      ...decisions[i]!,
      evaluationMs: percentiles(histograms[i]!.evaluation),
      endToEndMs: percentiles(histograms[i]!.end_to_end),
    })),
    topReasons: [...reasons]
      .map(([code, trend]) => ({ code, entries: sum(trend), trend }))
      .filter((reason) => reason.entries > 0)
      .sort((a, b) => b.entries - a.entries || compareText(a.code, b.code))
      .slice(0, q.top),
    topUsersByDenials: [...counts.denials]
      .filter((user) => user.denials > 0)
      .sort((a, b) => b.denials - a.denials || compareText(a.userId, b.userId))
      .slice(0, q.top),
    policyVersions: [...counts.policyVersions].sort(
      (a, b) =>
        compareText(a.firstSeen, b.firstSeen) || compareText(a.policyVersion, b.policyVersion),
    ),
    sources: [...counts.sources].sort(
      (a, b) => compareText(a.action, b.action) || compareText(a.source, b.source),
    ),
  };
}

function percentiles(histogram: LatencyHistogram): LatencyPercentiles {
  return { p50: histogram.quantile(0.5), p99: histogram.quantile(0.99) };
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

/** Code-point order, as PostgreSQL's `COLLATE "C"` sorts, so both adapters rank ties alike. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
