/**
 * The string formats the contract uses (`uuid`, `date-time`), with their checks registered for
 * TypeBox's `Value.Check`, which refuses a format it does not know. The service validates
 * requests with ajv-formats; these checks follow the same definitions (RFC 9562 and RFC 3339)
 * so that a value checked here means what it means to the service.
 */
import {
  FormatRegistry,
  type StringOptions,
  String as StringType,
  type TString,
} from '@sinclair/typebox/type';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const DATE_TIME =
  /^(?<year>\d{4})-(?<month>\d{2})-(?<day>\d{2})[Tt ](?<hour>\d{2}):(?<minute>\d{2}):(?<second>\d{2})(?:\.\d+)?(?:[Zz]|[+-](?<offsetHour>\d{2}):(?<offsetMinute>\d{2}))$/;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

function daysIn(year: number, month: number): number {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);
}

function isDateTime(text: string): boolean {
  const parts = DATE_TIME.exec(text)?.groups;
  if (parts === undefined) return false;
  const field = (name: string): number => Number(parts[name] ?? 0);
  return (
    field('day') >= 1 &&
    field('day') <= daysIn(field('year'), field('month')) &&
    field('hour') <= 23 &&
    field('minute') <= 59 &&
    // 60 is a leap second, which RFC 3339 allows.
    field('second') <= 60 &&
    field('offsetHour') <= 23 &&
    field('offsetMinute') <= 59
  );
}

FormatRegistry.Set('uuid', (text) => UUID.test(text));
FormatRegistry.Set('date-time', isDateTime);

/** A UUID in its 8-4-4-4-12 hexadecimal form. */
export function Uuid(options: StringOptions = {}): TString {
  return StringType({ format: 'uuid', ...options });
}

/** An RFC 3339 date-time with an offset, e.g. `2026-11-28T07:00:00Z`. */
export function DateTime(options: StringOptions = {}): TString {
  return StringType({ format: 'date-time', ...options });
}
