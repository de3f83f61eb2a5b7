/**
 * A stats bucket's start as an axis label and as table text, in the reader's time zone: an hour
 * bucket by its day and hour (`Dec 5 14:00`), a day bucket by its day (`Dec 5`). Day buckets are
 * UTC days, so the label says so when the reader is elsewhere.
 */

const pad = (n: number) => String(n).padStart(2, '0');
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

export function formatBucket(start: string, bucket: 'hour' | 'day'): string {
  const d = new Date(start);
  if (bucket === 'day') return `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}`;
  return `${MONTHS[d.getMonth()]} ${d.getDate()} ${pad(d.getHours())}:00`;
}

/** The end of a bucket that starts at `start`. */
export function bucketEnd(start: string, bucket: 'hour' | 'day'): string {
  return new Date(Date.parse(start) + (bucket === 'day' ? 86_400_000 : 3_600_000)).toISOString();
}
