/**
 * When a new key expires, as the CLI's `--expires` and `POST /admin/keys` take it: a duration
 * from now (`90d`, `12h`, `30m`) or an RFC 3339 date or date-time (`2027-06-30`,
 * `2027-06-30T12:00:00Z`; a date alone means its start, UTC). It must lie in the future and
 * at most ten years ahead.
 */

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const MAX_AHEAD_MS = 3650 * UNIT_MS.d;
const DURATION = /^(\d{1,7})([mhd])$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i;

export const API_KEY_EXPIRY_FORMS =
  'a duration such as 90d, 12h or 30m, or an RFC 3339 date or date-time such as 2027-06-30 or 2027-06-30T12:00:00Z';

/** Whether a `YYYY-MM-DD` prefix names a real day (Date would roll 2027-02-30 over to March). */
function isCalendarDate(prefix: string): boolean {
  if (!DATE.test(prefix)) return true;
  const [year, month, day] = prefix.split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** The expiry instant, or a one-line reason the text is not one. */
export function parseApiKeyExpiry(text: string, now: Date): Date | { readonly error: string } {
  const value = text.trim();
  let at: Date | undefined;
  const duration = DURATION.exec(value);
  if (duration !== null) {
    const [, count, unit] = duration as unknown as [string, string, keyof typeof UNIT_MS];
    at = new Date(now.getTime() + Number(count) * UNIT_MS[unit]);
  } else if (DATE.test(value) || DATE_TIME.test(value)) {
    at = new Date(DATE.test(value) ? `${value}T00:00:00Z` : value);
  }
  if (at === undefined || Number.isNaN(at.getTime()) || !isCalendarDate(value.slice(0, 10))) {
    return { error: `"${value}" is not an expiry: expected ${API_KEY_EXPIRY_FORMS}` };
  }
  if (at.getTime() <= now.getTime()) return { error: `"${value}" is not in the future` };
  if (at.getTime() - now.getTime() > MAX_AHEAD_MS) {
    return { error: `"${value}" is more than ten years ahead` };
  }
  return at;
}
