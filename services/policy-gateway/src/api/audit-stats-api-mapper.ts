/**
 * The stats route's side of the store: reads `AuditStats` through the store's reader and
 * answers them in the wire's snake_case (`AuditStatsJson`); a query the reader refuses is a 400
 * naming the parameter, a store that cannot answer a 503.
 */
import type { AuditStatsJson, AuditStatsQueryParams } from '@policy-gateway/gateway-contract';
import {
  type AuditStats,
  type AuditStatsReader,
  InvalidAuditStatsQueryError,
  type LatencyPercentiles,
} from '@policy-gateway/governance-runtime';
import { ApiProblem } from './problem.js';

export class AuditStatsApiMapper {
  readonly #reader: AuditStatsReader;

  constructor(reader: AuditStatsReader) {
    this.#reader = reader;
  }

  async stats(query: AuditStatsQueryParams): Promise<AuditStatsJson> {
    let stats: AuditStats;
    try {
      stats = await this.#reader.stats(query);
    } catch (error) {
      if (error instanceof InvalidAuditStatsQueryError) {
        throw new ApiProblem('INVALID_QUERY_PARAMETER', error.message, error.field);
      }
      throw Object.assign(
        new ApiProblem(
          'AUDIT_STORE_UNAVAILABLE',
          'the audit store could not be read; check /ready and retry',
        ),
        { cause: error },
      );
    }
    return toAuditStatsJson(stats);
  }
}

export function toAuditStatsJson(stats: AuditStats): AuditStatsJson {
  return {
    since: stats.since,
    until: stats.until,
    bucket: stats.bucket,
    totals: stats.totals,
    evaluation_ms: percentiles(stats.evaluationMs),
    end_to_end_ms: percentiles(stats.endToEndMs),
    buckets: stats.buckets.map((bucket) => ({
      start: bucket.start,
      allow: bucket.allow,
      deny: bucket.deny,
      error: bucket.error,
      evaluation_ms: percentiles(bucket.evaluationMs),
      end_to_end_ms: percentiles(bucket.endToEndMs),
    })),
    top_reasons: stats.topReasons.map((reason) => ({
      code: reason.code,
      entries: reason.entries,
      trend: [...reason.trend],
    })),
    top_users_by_denials: stats.topUsersByDenials.map((user) => ({
      user_id: user.userId,
      denials: user.denials,
    })),
    policy_versions: stats.policyVersions.map((version) => ({
      policy_version: version.policyVersion,
      first_seen: version.firstSeen,
      last_seen: version.lastSeen,
      entries: version.entries,
    })),
    sources: stats.sources.map((source) => ({
      action: source.action,
      source: source.source,
      entries: source.entries,
      last_committed_at: source.lastCommittedAt,
      last_seen: source.lastSeen,
    })),
  };
}

function percentiles(p: LatencyPercentiles): { p50: number | null; p99: number | null } {
  return { p50: p.p50, p99: p.p99 };
}
