/** Constructors for values; the only place values are made, so invariants hold. */

import type {
  ArrayValue,
  BooleanValue,
  NullValue,
  NumberValue,
  ObjectValue,
  RegoNumber,
  SetValue,
  StringValue,
  Value,
} from './value.js';
import { keyOf } from './value-key.js';

export const NULL: NullValue = Object.freeze({ kind: 'null' });
export const TRUE: BooleanValue = Object.freeze({ kind: 'boolean', value: true });
export const FALSE: BooleanValue = Object.freeze({ kind: 'boolean', value: false });

export function bool(value: boolean): BooleanValue {
  return value ? TRUE : FALSE;
}

/**
 * Small non-negative integers made once: array indexes, counts and `indexof` results are
 * most of the numbers an evaluation makes, and values are immutable.
 */
const SMALL_INTEGERS: readonly NumberValue[] = Array.from({ length: 1024 }, (_, i) =>
  Object.freeze({ kind: 'number', value: i }),
);

/** -1 made once too: it is what `indexof` answers when the text is not found, the usual case. */
const MINUS_ONE: NumberValue = Object.freeze({ kind: 'number', value: -1 });

/** A number, normalised: bigints within the safe range become numbers, integral floats stay numbers. */
export function num(value: RegoNumber): NumberValue {
  if (typeof value === 'number') {
    if (value >= 0 && value < 1024 && Number.isInteger(value) && !Object.is(value, -0))
      return SMALL_INTEGERS[value]!;
    if (value === -1) return MINUS_ONE;
    return { kind: 'number', value };
  }
  if (typeof value === 'bigint') {
    if (value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER)) {
      return { kind: 'number', value: Number(value) };
    }
  }
  return { kind: 'number', value };
}

export function str(value: string): StringValue {
  return { kind: 'string', value };
}

export function arr(items: readonly Value[]): ArrayValue {
  return { kind: 'array', items };
}

export function set(items: Iterable<Value>): SetValue {
  const map = new Map<string, Value>();
  for (const item of items) map.set(keyOf(item), item);
  return { kind: 'set', items: map };
}

export function obj(entries: Iterable<readonly [Value, Value]>): ObjectValue {
  const map = new Map<string, readonly [Value, Value]>();
  for (const [key, value] of entries) map.set(keyOf(key), [key, value]);
  return { kind: 'object', entries: map };
}

/** An object with string keys, the common case. */
export function objFromRecord(record: Readonly<Record<string, Value>>): ObjectValue {
  return obj(Object.entries(record).map(([k, v]) => [str(k), v] as const));
}

export const EMPTY_ARRAY: ArrayValue = arr([]);
export const EMPTY_SET: SetValue = set([]);
export const EMPTY_OBJECT: ObjectValue = obj([]);
