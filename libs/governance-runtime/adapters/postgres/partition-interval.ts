/**
 * The time ranges of the partitioned audit tables: one partition per calendar month (UTC),
 * named after it (`audit_log_entries_y2026m12`). Monthly, not daily: at 10 M entries per 90
 * days a month is ~3.4 M entries (a few GB), and a year of retention is 13 partitions, so a
 * query that cannot prune (a user's newest page, get-by-id without a time hint) touches a
 * dozen indexes rather than ~400, and planning stays well under a millisecond. The price is
 * retention's granularity: a partition goes only once all of its month is past the horizon.
 */

export interface MonthlyPartition {
  /** `<table>_y<year>m<month>`. */
  readonly name: string;
  /** Inclusive, the first instant of the month (UTC). */
  readonly from: Date;
  /** Exclusive, the first instant of the next month. */
  readonly to: Date;
}

/** The first instant (UTC) of the month `months` after the one `at` falls in. */
export function monthStart(at: Date, months = 0): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + months, 1));
}

/** The partition of `table` that holds the month `at` falls in. */
export function monthlyPartition(table: string, at: Date): MonthlyPartition {
  const from = monthStart(at);
  const month = String(from.getUTCMonth() + 1).padStart(2, '0');
  return { name: `${table}_y${from.getUTCFullYear()}m${month}`, from, to: monthStart(from, 1) };
}

/** The partitions of the months from `from`'s to `to`'s, both included, oldest first. */
export function monthlyPartitions(table: string, from: Date, to: Date): MonthlyPartition[] {
  const partitions: MonthlyPartition[] = [];
  for (let month = monthStart(from); month <= to; month = monthStart(month, 1)) {
    partitions.push(monthlyPartition(table, month));
  }
  return partitions;
}
