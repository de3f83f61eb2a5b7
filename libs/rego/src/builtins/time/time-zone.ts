/**
 * Time-zone offsets through Intl, so IANA names work in Node and browsers alike. OPA's
 * `""` and `"UTC"` mean UTC and `"Local"` the host's zone.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      era: 'short',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** The IANA name for an OPA zone argument; throws RangeError for unknown zones. */
export function resolveZone(zone: string): string {
  if (zone === '' || zone === 'UTC') return 'UTC';
  if (zone === 'Local') return Intl.DateTimeFormat().resolvedOptions().timeZone;
  formatter(zone);
  return zone;
}

/** Offset from UTC in seconds of `zone` at the instant `ms` (milliseconds since the epoch). */
export function zoneOffsetSeconds(zone: string, ms: number): number {
  if (zone === 'UTC') return 0;
  const parts = formatter(zone).formatToParts(new Date(ms));
  const field = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  let year = field('year');
  if (parts.find((p) => p.type === 'era')?.value === 'BC') year = 1 - year;
  const wall = Date.UTC(
    year,
    field('month') - 1,
    field('day'),
    field('hour'),
    field('minute'),
    field('second'),
  );
  const wallDate = new Date(wall);
  if (year >= 0 && year < 100) wallDate.setUTCFullYear(year);
  const truncated = Math.floor(ms / 1000) * 1000;
  return Math.round((wallDate.getTime() - truncated) / 1000);
}

/** Abbreviation of the zone at an instant (`CET`, `GMT+1`), for the `MST` layout element. */
export function zoneAbbreviation(zone: string, ms: number): string {
  if (zone === 'UTC') return 'UTC';
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    timeZoneName: 'short',
  }).formatToParts(new Date(ms));
  return parts.find((p) => p.type === 'timeZoneName')?.value ?? zone;
}
