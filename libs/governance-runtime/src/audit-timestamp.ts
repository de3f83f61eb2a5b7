/**
 * Audit timestamps: RFC 3339 in UTC with exactly six fraction digits
 * (`2026-11-28T07:18:50.123456Z`). One canonical text form lets every adapter compare
 * and return timestamps identically, and keeps PostgreSQL's microseconds intact.
 */

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

const CANONICAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/** Whether `value` is already in the canonical form adapters store and return. */
export function isCanonicalAuditTimestamp(value: string): boolean {
  return CANONICAL.test(value) && toCanonicalAuditTimestamp(value) === value;
}

/**
 * Converts any RFC 3339 date-time to the canonical UTC microsecond form, or returns
 * `null` when it is not one (or is outside years 0001–9999). Fraction digits beyond the
 * sixth are truncated, the precision PostgreSQL keeps.
 *
 * @example toCanonicalAuditTimestamp('2026-11-28T08:18:50.5+01:00') // '2026-11-28T07:18:50.500000Z'
 */
export function toCanonicalAuditTimestamp(value: string): string | null {
  const match = RFC3339.exec(value);
  if (match === null) return null;
  const [, year, month, day, hour, minute, second, fraction, , sign, offsetHour, offsetMinute] =
    match.map((part) => part ?? '');
  const fields = [year, month, day, hour, minute, second].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const [y, mo, d, h, mi, s] = fields;
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || s > 59) {
    return null;
  }
  let offsetMinutes = 0;
  if (sign !== '') {
    const oh = Number(offsetHour);
    const om = Number(offsetMinute);
    if (oh > 23 || om > 59) return null;
    offsetMinutes = (sign === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, mi - offsetMinutes, s, 0);
  const utcYear = date.getUTCFullYear();
  if (utcYear < 1 || utcYear > 9999) return null;
  const micros = (fraction ?? '').padEnd(6, '0').slice(0, 6);
  return `${formatWholeSeconds(date)}.${micros}Z`;
}

/**
 * The current time in canonical form, from a monotonic clock anchored to the wall
 * clock: never earlier than the previous call in this process, re-anchored when the
 * two drift apart by more than a millisecond.
 */
export function auditTimestampNow(): string {
  const monotonic = performance.now();
  const wall = Date.now();
  let millis = clockAnchor + monotonic;
  if (Math.abs(millis - wall) > 1) {
    clockAnchor = wall - monotonic;
    millis = wall;
  }
  const micros = Math.max(Math.floor(millis * 1000), lastMicros);
  lastMicros = micros;
  return formatEpochMicros(micros);
}

/** Formats microseconds since the Unix epoch in canonical form. */
export function formatEpochMicros(micros: number): string {
  const wholeMillis = Math.floor(micros / 1000);
  const seconds = Math.floor(wholeMillis / 1000) * 1000;
  const fraction = String(micros - seconds * 1000).padStart(6, '0');
  return `${formatWholeSeconds(new Date(seconds))}.${fraction}Z`;
}

let clockAnchor = performance.timeOrigin;
let lastMicros = 0;

function formatWholeSeconds(date: Date): string {
  // toISOString gives `YYYY-MM-DDTHH:MM:SS.mmmZ` for years 0000–9999.
  return date.toISOString().slice(0, 19);
}

function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
}
