/**
 * The memory store's stats: counted from the entries it keeps, read through the port's own
 * pages. Its bound (`maxEntries`, the oldest dropped first) keeps this scan small, so it keeps
 * no roll-up of its own, and its answer is exactly what its entries say (dropped entries are
 * gone from both). It knows no commit time, so end-to-end latency and a source's last commit
 * are null.
 */
import type { AuditLogEntry } from '../../src/audit-log-entry.js';
import type { AuditLogEntryRepository } from '../../src/audit-log-entry-repository.js';
import type { AuditStats, AuditStatsPolicyVersion } from '../../src/audit-stats.js';
import { assembleAuditStats } from '../../src/audit-stats-assembly.js';
import { type AuditStatsQuery, resolveAuditStatsQuery } from '../../src/audit-stats-query.js';
import type { AuditStatsReader } from '../../src/audit-stats-reader.js';
import { latencyBin } from '../../src/latency-histogram.js';
import { AUDIT_QUERY_MAX_LIMIT } from '../../src/resolved-audit-log-query.js';

export class MemoryAuditStatsReader implements AuditStatsReader {
  readonly #repository: AuditLogEntryRepository;

  constructor(repository: AuditLogEntryRepository) {
    this.#repository = repository;
  }

  async stats(query: AuditStatsQuery): Promise<AuditStats> {
    const q = resolveAuditStatsQuery(query);
    const decisions = new Map<string, number>();
    const latency = new Map<string, number>();
    const reasons = new Map<string, number>();
    const denials = new Map<string, number>();
    const versions = new Map<
      string,
      { first: string; firstInRange?: string; last?: string; n: number }
    >();
    const sources = new Map<string, { action: string; source: string; n: number; last: string }>();
    const add = (map: Map<string, number>, key: string): void => {
      map.set(key, (map.get(key) ?? 0) + 1);
    };
    for await (const entry of this.#all()) {
      const at = Date.parse(entry.occurredAt);
      const version = versions.get(entry.policyVersion) ?? { first: entry.occurredAt, n: 0 };
      if (entry.occurredAt < version.first) version.first = entry.occurredAt;
      versions.set(entry.policyVersion, version);
      if (at < q.sinceMs || at >= q.untilMs) continue;
      if (version.last === undefined || entry.occurredAt > version.last)
        version.last = entry.occurredAt;
      version.n += 1;
      const bucket = Math.floor((at - q.sinceMs) / q.bucketMs) * q.bucketMs + q.sinceMs;
      add(decisions, `${bucket}|${entry.decision}`);
      add(latency, `${bucket}|${latencyBin(entry.latencyMs)}`);
      for (const code of new Set(entry.reasons.map((reason) => reason.code))) {
        add(reasons, `${bucket}|${code}`);
      }
      if (entry.decision === 'deny') add(denials, entry.userId);
      const sourceKey = `${entry.action}|${entry.gatewayInstance}`;
      const source = sources.get(sourceKey) ?? {
        action: entry.action,
        source: entry.gatewayInstance,
        n: 0,
        last: entry.occurredAt,
      };
      source.n += 1;
      if (entry.occurredAt > source.last) source.last = entry.occurredAt;
      sources.set(sourceKey, source);
    }
    return assembleAuditStats(q, {
      decisions: [...decisions].map(([key, entries]) => {
        const [bucket, decision] = key.split('|') as [string, 'allow' | 'deny' | 'error'];
        return { bucket: Number(bucket), decision, entries };
      }),
      latency: [...latency].map(([key, entries]) => {
        const [bucket, bin] = key.split('|') as [string, string];
        return { bucket: Number(bucket), kind: 'evaluation' as const, bin: Number(bin), entries };
      }),
      reasons: [...reasons].map(([key, entries]) => {
        const cut = key.indexOf('|');
        return { bucket: Number(key.slice(0, cut)), code: key.slice(cut + 1), entries };
      }),
      denials: [...denials].map(([userId, count]) => ({ userId, denials: count })),
      policyVersions: [...versions]
        .filter(([, v]) => v.n > 0)
        .map(
          ([policyVersion, v]): AuditStatsPolicyVersion => ({
            policyVersion,
            firstSeen: v.first,
            lastSeen: v.last ?? v.first,
            entries: v.n,
          }),
        ),
      sources: [...sources.values()].map((s) => ({
        action: s.action,
        source: s.source,
        entries: s.n,
        lastCommittedAt: null,
        lastSeen: s.last,
      })),
    });
  }

  /** Every kept entry, newest first, a page at a time. */
  async *#all(): AsyncGenerator<AuditLogEntry> {
    let cursor: string | undefined;
    do {
      const page = await this.#repository.query({
        limit: AUDIT_QUERY_MAX_LIMIT,
        ...(cursor === undefined ? {} : { cursor }),
      });
      yield* page.entries;
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
  }
}
