/**
 * Time builtins on nanoseconds since the epoch (exact bigints, as OPA's int64): clock,
 * parsing and formatting with Go layouts, calendar arithmetic and durations. Zones via Intl.
 */

import type { Value } from '../value/value.js';
import { arr, num, str } from '../value/value-builders.js';
import type { BuiltinDefinition } from './builtin.js';
import { builtinError, operandError, safeIntegerArg, stringArg } from './operands.js';
import {
  type CivilTime,
  civilFromNs,
  INT64_MAX,
  INT64_MIN,
  nsFromFields,
  utcMillis,
} from './time/civil-time.js';
import { parseDuration } from './time/go-duration.js';
import { formatTime, parseTime, WEEKDAY_NAMES } from './time/go-time-layout.js';
import { resolveZone } from './time/time-zone.js';

const RFC3339_NANO = '2006-01-02T15:04:05.999999999Z07:00';

interface ZonedNs {
  readonly ns: bigint;
  readonly zone: string;
  readonly layout?: string;
}

/** Nanoseconds as OPA reads them: an integer that fits int64 ("timestamp too big" otherwise). */
function nsOf(name: string, value: Value, position: number): bigint {
  if (value.kind !== 'number') throw operandError(name, position, 'number', value);
  const n = value.value;
  if (typeof n === 'number' && !Number.isInteger(n)) throw builtinError(name, 'timestamp too big');
  const ns = BigInt(n);
  if (!inInt64(ns)) throw builtinError(name, 'timestamp too big');
  return ns;
}

/** A `ns` operand: a number, or `[ns, zone]` / `[ns, zone, layout]`. */
function zonedArg(
  name: string,
  args: readonly Value[],
  index: number,
  allowLayout = false,
): ZonedNs {
  const value = args[index] as Value;
  if (value.kind === 'number') return { ns: nsOf(name, value, index + 1), zone: 'UTC' };
  if (
    value.kind !== 'array' ||
    value.items.length < 2 ||
    value.items.length > (allowLayout ? 3 : 2)
  ) {
    throw operandError(
      name,
      index + 1,
      allowLayout ? 'number or array[number, string, string?]' : 'number or array[number, string]',
      value,
    );
  }
  const [nsValue, zoneValue, layoutValue] = value.items as [Value, Value, Value | undefined];
  if (zoneValue.kind !== 'string')
    throw operandError(name, index + 1, 'array[number, string]', value);
  let zone: string;
  try {
    zone = resolveZone(zoneValue.value);
  } catch {
    throw builtinError(name, `unknown time zone ${zoneValue.value}`);
  }
  if (layoutValue !== undefined && layoutValue.kind !== 'string') {
    throw operandError(name, index + 1, 'array[number, string, string]', value);
  }
  return { ns: nsOf(name, nsValue, index + 1), zone, layout: layoutValue?.value };
}

function civil(name: string, args: readonly Value[], index: number): CivilTime {
  const z = zonedArg(name, args, index);
  return civilFromNs(z.ns, z.zone);
}

function inInt64(ns: bigint): boolean {
  return ns >= INT64_MIN && ns <= INT64_MAX;
}

/** The Go layout names OPA accepts in `time.format` and `time.parse_ns`; any other text is a layout. */
const NAMED_LAYOUTS: Readonly<Record<string, string>> = {
  ANSIC: 'Mon Jan _2 15:04:05 2006',
  UnixDate: 'Mon Jan _2 15:04:05 MST 2006',
  RubyDate: 'Mon Jan 02 15:04:05 -0700 2006',
  RFC822: '02 Jan 06 15:04 MST',
  RFC822Z: '02 Jan 06 15:04 -0700',
  RFC850: 'Monday, 02-Jan-06 15:04:05 MST',
  RFC1123: 'Mon, 02 Jan 2006 15:04:05 MST',
  RFC1123Z: 'Mon, 02 Jan 2006 15:04:05 -0700',
  RFC3339: '2006-01-02T15:04:05Z07:00',
  RFC3339Nano: RFC3339_NANO,
};

function layoutOf(layout: string): string {
  return Object.hasOwn(NAMED_LAYOUTS, layout) ? (NAMED_LAYOUTS[layout] as string) : layout;
}

function parseNs(name: string, layout: string, value: string): Value {
  let ns: bigint;
  try {
    ns = parseTime(layoutOf(layout), value);
  } catch (error) {
    throw builtinError(
      name,
      `parsing time ${JSON.stringify(value)}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (!inInt64(ns)) throw builtinError(name, 'time outside of valid range');
  return num(ns);
}

/**
 * Go's `time.Time.AddDate` in the time's zone: overflowing months and days normalise, and
 * the wall clock is kept across a change of offset (daylight saving) between the two dates.
 */
function addDate(t: CivilTime, years: number, months: number, days: number): bigint {
  const at = (offset: number) =>
    nsFromFields(
      t.year + years,
      t.month + months,
      t.day + days,
      t.hour,
      t.minute,
      t.second,
      t.nanosecond,
      offset,
    );
  const guess = at(t.offsetSeconds);
  const offset = civilFromNs(guess, t.zone).offsetSeconds;
  return offset === t.offsetSeconds ? guess : at(offset);
}

function daysInMonth(year: number, month: number): number {
  return new Date(utcMillis(year, month + 1, 0)).getUTCDate();
}

/** Calendar difference [years, months, days, hours, minutes, seconds], as OPA's `time.diff`. */
function diff(a: CivilTime, b: CivilTime, aNs: bigint, bNs: bigint): number[] {
  let [t1, t2] = aNs > bNs ? [b, a] : [a, b];
  t1 = t1 as CivilTime;
  t2 = t2 as CivilTime;
  let year = t2.year - t1.year;
  let month = t2.month - t1.month;
  let day = t2.day - t1.day;
  let hour = t2.hour - t1.hour;
  let minute = t2.minute - t1.minute;
  let second = t2.second - t1.second;
  if (second < 0) {
    second += 60;
    minute--;
  }
  if (minute < 0) {
    minute += 60;
    hour--;
  }
  if (hour < 0) {
    hour += 24;
    day--;
  }
  if (day < 0) {
    day += daysInMonth(t1.year, t1.month);
    month--;
  }
  if (month < 0) {
    month += 12;
    year--;
  }
  return [year, month, day, hour, minute, second];
}

export const TIME_BUILTINS: readonly BuiltinDefinition[] = [
  {
    name: 'time.now_ns',
    arity: 0,
    nondeterministic: true,
    implementation: (_args, context) => num(context.nowNs),
  },
  {
    name: 'time.parse_rfc3339_ns',
    arity: 1,
    implementation: (args) =>
      parseNs('time.parse_rfc3339_ns', 'RFC3339', stringArg('time.parse_rfc3339_ns', args, 0)),
  },
  {
    name: 'time.parse_ns',
    arity: 2,
    implementation: (args) =>
      parseNs(
        'time.parse_ns',
        stringArg('time.parse_ns', args, 0),
        stringArg('time.parse_ns', args, 1),
      ),
  },
  {
    name: 'time.parse_duration_ns',
    arity: 1,
    implementation: (args) => {
      const text = stringArg('time.parse_duration_ns', args, 0);
      const ns = parseDuration(text);
      if (ns === undefined)
        throw builtinError(
          'time.parse_duration_ns',
          `time: invalid duration ${JSON.stringify(text)}`,
        );
      return num(ns);
    },
  },
  {
    name: 'time.format',
    arity: 1,
    implementation: (args) => {
      const z = zonedArg('time.format', args, 0, true);
      return str(formatTime(layoutOf(z.layout ?? RFC3339_NANO), civilFromNs(z.ns, z.zone)));
    },
  },
  {
    name: 'time.date',
    arity: 1,
    implementation: (args) => {
      const t = civil('time.date', args, 0);
      return arr([num(t.year), num(t.month), num(t.day)]);
    },
  },
  {
    name: 'time.clock',
    arity: 1,
    implementation: (args) => {
      const t = civil('time.clock', args, 0);
      return arr([num(t.hour), num(t.minute), num(t.second)]);
    },
  },
  {
    name: 'time.weekday',
    arity: 1,
    implementation: (args) => str(WEEKDAY_NAMES[civil('time.weekday', args, 0).weekday] as string),
  },
  {
    name: 'time.add_date',
    arity: 4,
    implementation: (args) => {
      const name = 'time.add_date';
      const t = civil(name, args, 0);
      const years = safeIntegerArg(name, args, 1);
      const months = safeIntegerArg(name, args, 2);
      const days = safeIntegerArg(name, args, 3);
      let ns: bigint | undefined;
      try {
        ns = addDate(t, years, months, days);
      } catch {
        ns = undefined;
      }
      if (ns === undefined || !inInt64(ns)) throw builtinError(name, 'time outside of valid range');
      return num(ns);
    },
  },
  {
    name: 'time.diff',
    arity: 2,
    implementation: (args) => {
      const a = zonedArg('time.diff', args, 0);
      const b = zonedArg('time.diff', args, 1);
      const ta = civilFromNs(a.ns, a.zone);
      // Both times are compared in the first one's zone, as OPA does.
      const tb = civilFromNs(b.ns, a.zone);
      return arr(diff(ta, tb, a.ns, b.ns).map((n) => num(n)));
    },
  },
];
