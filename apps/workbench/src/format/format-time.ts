/**
 * Shows an RFC 3339 instant in the reader's local time, to the millisecond. The exact UTC text,
 * with its microseconds, is shown as-is on hover because `Date` cannot hold microseconds.
 */

const localFormat = new Intl.DateTimeFormat(undefined, {
  year: 'numeric',
  month: 'short',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  fractionalSecondDigits: 3,
  hourCycle: 'h23',
});

export function formatLocalTime(instant: string): string {
  const ms = Date.parse(instant);
  return Number.isNaN(ms) ? instant : localFormat.format(new Date(ms));
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
  const pad = (n: number) => String(n).padStart(2, '0');
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
