/**
 * What the trail looks like over a time range, for the Workbench's overview: decisions per
 * bucket by outcome, latency percentiles, the most frequent reasons with their trend, the users
 * denied most, and the policy versions that decided. Read from roll-ups kept as entries are
 * written (`AuditStatsReader`), never by scanning the entries of a large trail.
 */
import type { AuditStatsBucket } from './audit-stats-query.js';

/** Latency percentiles in ms (from log-scale histograms: within 9 %); null without entries. */
export interface LatencyPercentiles {
  readonly p50: number | null;
  readonly p99: number | null;
}

export interface DecisionCounts {
  readonly allow: number;
  readonly deny: number;
  readonly error: number;
}

export interface AuditStatsBucketSummary extends DecisionCounts {
  /** The bucket's start, RFC 3339 UTC; it ends where the next one starts. */
  readonly start: string;
  readonly evaluationMs: LatencyPercentiles;
  /** From the decision's start to its commit in the trail (database stores only). */
  readonly endToEndMs: LatencyPercentiles;
}

export interface AuditStatsReason {
  readonly code: string;
  /** Entries in the range giving this reason (an entry giving it twice counts once). */
  readonly entries: number;
  /** Those entries per bucket, in bucket order. */
  readonly trend: readonly number[];
}

export interface AuditStatsUser {
  readonly userId: string;
  readonly denials: number;
}

export interface AuditStatsPolicyVersion {
  readonly policyVersion: string;
  /** Its first decision in the stored trail: when it became active. */
  readonly firstSeen: string;
  /** Its last decision in the range. */
  readonly lastSeen: string;
  /** Its decisions in the range. */
  readonly entries: number;
}

/** Where decisions came from: a gateway instance, or an OPA instance uploading its decision log. */
export interface AuditStatsSource {
  /** `policy.evaluate`, `opa.data`, or `opa.decision_log` for uploads. */
  readonly action: string;
  /** The entries' `gatewayInstance`: the gateway process, or OPA's `labels.id`. */
  readonly source: string;
  /** Its entries in the range. */
  readonly entries: number;
  /** When its last entry in the range was committed (an upload's arrival); null in memory. */
  readonly lastCommittedAt: string | null;
  /** Its last entry's `occurredAt` in the range. */
  readonly lastSeen: string;
}

export interface AuditStats {
  /** The range answered: the one asked, widened to whole buckets. */
  readonly since: string;
  readonly until: string;
  readonly bucket: AuditStatsBucket;
  readonly totals: DecisionCounts;
  readonly evaluationMs: LatencyPercentiles;
  readonly endToEndMs: LatencyPercentiles;
  readonly buckets: readonly AuditStatsBucketSummary[];
  /** Most frequent first (ties by code), at most `top`. */
  readonly topReasons: readonly AuditStatsReason[];
  /** Most denied first (ties by user id), at most `top`. */
  readonly topUsersByDenials: readonly AuditStatsUser[];
  /** The versions that decided in the range, by when each became active. */
  readonly policyVersions: readonly AuditStatsPolicyVersion[];
  /** Where the range's decisions came from, by action then source. */
  readonly sources: readonly AuditStatsSource[];
}
