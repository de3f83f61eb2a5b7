import { describe, expect, it } from 'vitest';
import { AUDIT_STATS_MAX_BUCKETS, resolveAuditStatsQuery } from './audit-stats-query.js';
import { InvalidAuditStatsQueryError } from './invalid-audit-stats-query-error.js';

const NOW = Date.parse('2026-12-05T14:25:30Z');

describe('stats query', () => {
  it('widens the range to whole UTC buckets', () => {
    const q = resolveAuditStatsQuery(
      { since: '2026-12-01T10:30:00+02:00', until: '2026-12-02T00:00:01Z', bucket: 'hour' },
      NOW,
    );
    expect(new Date(q.sinceMs).toISOString()).toBe('2026-12-01T08:00:00.000Z');
    expect(new Date(q.untilMs).toISOString()).toBe('2026-12-02T01:00:00.000Z');
    expect(q.bucketStarts.length).toBe(17);
  });

  it('defaults to the last 7 days by day, and to hours for a range of up to 3 days', () => {
    const week = resolveAuditStatsQuery({}, NOW);
    expect(week.bucket).toBe('day');
    expect(week.bucketStarts.length).toBe(8);
    expect(resolveAuditStatsQuery({ since: '2026-12-03T00:00:00Z' }, NOW).bucket).toBe('hour');
    expect(resolveAuditStatsQuery({}, NOW).top).toBe(10);
  });

  it.each([
    {
      note: 'empty range',
      query: { since: '2026-12-02T00:00:00Z', until: '2026-12-01T00:00:00Z' },
      field: 'since',
    },
    { note: 'over 400 days', query: { since: '2025-01-01T00:00:00Z' }, field: 'since' },
    {
      note: 'too many buckets',
      query: { since: '2026-10-01T00:00:00Z', bucket: 'hour' as const },
      field: 'bucket',
    },
    { note: 'unknown bucket', query: { bucket: 'week' as never }, field: 'bucket' },
    { note: 'top of 0', query: { top: 0 }, field: 'top' },
    { note: 'not a date', query: { until: 'yesterday' }, field: 'until' },
  ])('refuses a query with $note, naming $field', ({ query, field }) => {
    let error: unknown;
    try {
      resolveAuditStatsQuery(query, NOW);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidAuditStatsQueryError);
    expect((error as InvalidAuditStatsQueryError).field).toBe(field);
    expect(AUDIT_STATS_MAX_BUCKETS).toBe(1000);
  });
});
