/**
 * Conversions between nanoseconds since the epoch (bigint, as OPA's int64) and wall-clock
 * fields in a zone. JavaScript dates only carry milliseconds, so nanoseconds ride alongside.
 */
import { zoneAbbreviation, zoneOffsetSeconds } from './time-zone.js';

export interface CivilTime {
  readonly year: number;
  /** 1–12. */
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  /** 0–999 999 999. */
  readonly nanosecond: number;
  /** 0 = Sunday. */
  readonly weekday: number;
  /** 1–366. */
  readonly yearDay: number;
  readonly offsetSeconds: number;
  readonly zone: string;
  /** The instant, in milliseconds since the epoch. */
  readonly epochMs: number;
}

const NS_PER_SECOND = 1_000_000_000n;
export const INT64_MIN = -(2n ** 63n);
export const INT64_MAX = 2n ** 63n - 1n;

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

/** Milliseconds since the epoch of a UTC wall clock, valid for every year Date supports. */
export function utcMillis(
  year: number,
  month: number,
  day: number,
  hour = 0,
  minute = 0,
  second = 0,
): number {
  const d = new Date(Date.UTC(2000, month - 1, day, hour, minute, second));
  d.setUTCFullYear(year + d.getUTCFullYear() - 2000);
  return d.getTime();
}

export function civilFromNs(ns: bigint, zone: string): CivilTime {
  const seconds = floorDiv(ns, NS_PER_SECOND);
  const nanosecond = Number(ns - seconds * NS_PER_SECOND);
  const ms = Number(seconds) * 1000;
  const offsetSeconds = zoneOffsetSeconds(zone, ms);
  const local = new Date(ms + offsetSeconds * 1000);
  const year = local.getUTCFullYear();
  const startOfYear = utcMillis(year, 1, 1);
  const startOfDay = utcMillis(year, local.getUTCMonth() + 1, local.getUTCDate());
  return {
    year,
    month: local.getUTCMonth() + 1,
    day: local.getUTCDate(),
    hour: local.getUTCHours(),
    minute: local.getUTCMinutes(),
    second: local.getUTCSeconds(),
    nanosecond,
    weekday: local.getUTCDay(),
    yearDay: Math.round((startOfDay - startOfYear) / 86_400_000) + 1,
    offsetSeconds,
    zone,
    epochMs: ms,
  };
}

/** Nanoseconds of a wall clock at a fixed offset; fields may overflow (month 13 = next January). */
export function nsFromFields(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  nanosecond: number,
  offsetSeconds: number,
): bigint {
  const ms = utcMillis(year, month, day, hour, minute, second);
  if (Number.isNaN(ms)) throw new RangeError('time out of range');
  return BigInt(ms / 1000 - offsetSeconds) * NS_PER_SECOND + BigInt(nanosecond);
}

/** The zone's abbreviation at this instant (`UTC`, `CET`), for the `MST` layout element. */
export function zoneName(civil: CivilTime): string {
  return zoneAbbreviation(civil.zone, civil.epochMs);
}
