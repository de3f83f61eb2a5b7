/**
 * The port the stats route reads through. Adapters: `memory/` (computed from the entries the
 * bounded store keeps) and `postgres/` (the hourly roll-up tables of migration 019, kept by a
 * trigger in the transaction that writes the entries). Both assemble their answer with
 * `assembleAuditStats`, so they differ only in where the counts come from.
 */
import type { AuditStats } from './audit-stats.js';
import type { AuditStatsQuery } from './audit-stats-query.js';

export interface AuditStatsReader {
  /**
   * @throws InvalidAuditStatsQueryError for a bad or too large range, bucket or `top`.
   *
   * @example
   * const week = await reader.stats({ since: '2026-11-28T00:00:00Z', bucket: 'day' });
   * week.buckets.map((b) => b.deny); // denials per day
   */
  stats(query: AuditStatsQuery): Promise<AuditStats>;
}
