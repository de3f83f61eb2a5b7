/**
 * The time ranges of the partitioned audit tables: one partition per calendar month, ISO week
 * or day (UTC), named after its first day (`audit_log_entries_y2026m12` for a month,
 * `audit_log_entries_y2026m11d30` for the week or the day that starts on 30 November).
 *
 * Monthly by default: at 10 M entries per 90 days a month is ~3.4 M entries (a few GB), and a
 * year of retention is 13 partitions, so a query that cannot prune (a user's newest page,
 * get-by-id without a time hint) touches a dozen indexes, and planning stays well under a
 * millisecond. The price is retention's granularity: a partition goes only once all of it is
 * past the horizon, so entries stay up to one interval longer than the retention. A trail
 * that must not keep entries that long (a 7-day retention), or that takes hundreds of
 * millions of entries a month, chooses weeks or days: finer removal and smaller indexes, for
 * more partitions to plan over (a year of days is ~365).
 */

export const PARTITION_INTERVALS = ['month', 'week', 'day'] as const;
export type PartitionInterval = (typeof PARTITION_INTERVALS)[number];

export interface TimePartition {
  /** `<table>_y<year>m<month>` for a month, `<table>_y<year>m<month>d<day>` for a week or day. */
  readonly name: string;
  /** Inclusive, the first instant of the interval (UTC). */
  readonly from: Date;
  /** Exclusive, the first instant of the next interval. */
  readonly to: Date;
}

/**
 * How many intervals after the current one are created ahead of time by default: about two
 * months whatever the interval, so that a gateway stopped for weeks still finds its
 * partitions, without making hundreds of empty ones.
 */
export const DEFAULT_INTERVALS_AHEAD: Readonly<Record<PartitionInterval, number>> = Object.freeze({
  month: 2,
  week: 9,
  day: 62,
});

const DAY_MS = 86_400_000;

/** The first instant (UTC) of the interval `count` intervals after the one `at` falls in. */
export function intervalStart(at: Date, interval: PartitionInterval, count = 0): Date {
  const year = at.getUTCFullYear();
  const month = at.getUTCMonth();
  const day = at.getUTCDate();
  switch (interval) {
    case 'month':
      return new Date(Date.UTC(year, month + count, 1));
    case 'week': {
      // ISO weeks start on Monday; getUTCDay() is 0 for Sunday.
      const sinceMonday = (at.getUTCDay() + 6) % 7;
      return new Date(Date.UTC(year, month, day - sinceMonday) + count * 7 * DAY_MS);
    }
    case 'day':
      return new Date(Date.UTC(year, month, day) + count * DAY_MS);
  }
}

/** The partition of `table` that holds the interval `at` falls in. */
export function partitionAt(table: string, at: Date, interval: PartitionInterval): TimePartition {
  const from = intervalStart(at, interval);
  const month = String(from.getUTCMonth() + 1).padStart(2, '0');
  const day = interval === 'month' ? '' : `d${String(from.getUTCDate()).padStart(2, '0')}`;
  return {
    name: `${table}_y${from.getUTCFullYear()}m${month}${day}`,
    from,
    to: intervalStart(from, interval, 1),
  };
}

/** The partitions of the intervals from `from`'s to `to`'s, both included, oldest first. */
export function partitionsBetween(
  table: string,
  from: Date,
  to: Date,
  interval: PartitionInterval,
): TimePartition[] {
  const partitions: TimePartition[] = [];
  for (let start = intervalStart(from, interval); start <= to; ) {
    const partition = partitionAt(table, start, interval);
    partitions.push(partition);
    start = partition.to;
  }
  return partitions;
}
