/**
 * Shows an RFC 3339 instant in the reader's local time, to the millisecond. The exact UTC text,
 * with its microseconds, is shown as-is on hover because `Date` cannot hold microseconds.
 */

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/**
 * `2026-11-28 08:18:50.123` in the reader's time zone: numeric, so it is compact, unambiguous
 * across locales and lines up in a column.
 */
export function formatLocalTime(instant: string): string {
  const ms = Date.parse(instant);
  if (Number.isNaN(ms)) return instant;
  const d = new Date(ms);
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`
  );
}

/** The hover text: the instant exactly as the gateway recorded it. */
export function describeInstant(instant: string): string {
  return `${instant} (UTC, as recorded)`;
}

/** `2026-11-28T07:00:00.000Z` → the `YYYY-MM-DDTHH:mm` a `datetime-local` input shows, local. */
export function toLocalInputValue(instant: string): string {
  const ms = Date.parse(instant);
  if (Number.isNaN(ms)) return '';
  const date = new Date(ms);
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}`
  );
}

/** The reverse of `toLocalInputValue`: a local `datetime-local` value → RFC 3339 UTC. */
export function fromLocalInputValue(value: string): string {
  if (value === '') return '';
  const ms = new Date(value).getTime();
  return Number.isNaN(ms) ? '' : new Date(ms).toISOString();
}
