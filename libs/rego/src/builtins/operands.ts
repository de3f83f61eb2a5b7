/**
 * Operand checks shared by every builtin, so that type errors are worded once, as OPA
 * words them: `<name>: operand <n> must be <type> but got <type>`.
 */

import { sortInPlace } from '../value/small-sort.js';
import type {
  ArrayValue,
  ObjectValue,
  RegoNumber,
  SetValue,
  Value,
  ValueKind,
} from '../value/value.js';
import { compareValues } from '../value/value-compare.js';
import { BuiltinError, BuiltinTypeError } from './builtin.js';

/** OPA's name of a value's type, as `type_name` returns it. */
export function typeName(value: Value): ValueKind {
  return value.kind;
}

/** The one constructor of operand type errors. `expected` may list alternatives. */
export function operandError(
  name: string,
  position: number,
  expected: string | readonly string[],
  got: Value,
): BuiltinError {
  const wanted = typeof expected === 'string' ? expected : `one of {${expected.join(', ')}}`;
  return new BuiltinTypeError(
    `${name}: operand ${position} must be ${wanted} but got ${typeName(got)}`,
  );
}

/** An operand of the right type but unusable content (a float index, a non-string member): still a type error in OPA. */
export function operandValueError(name: string, position: number, message: string): BuiltinError {
  return new BuiltinTypeError(`${name}: operand ${position} ${message}`);
}

/** A builtin failure that is not about one operand (bad format, overflow, …). */
export function builtinError(name: string, message: string): BuiltinError {
  return new BuiltinError(`${name}: ${message}`);
}

function arg(args: readonly Value[], index: number): Value {
  const value = args[index];
  if (value === undefined) throw new BuiltinError(`missing operand ${index + 1}`);
  return value;
}

export function stringArg(name: string, args: readonly Value[], index: number): string {
  const value = arg(args, index);
  if (value.kind !== 'string') throw operandError(name, index + 1, 'string', value);
  return value.value;
}

export function numberArg(name: string, args: readonly Value[], index: number): RegoNumber {
  const value = arg(args, index);
  if (value.kind !== 'number') throw operandError(name, index + 1, 'number', value);
  return value.value;
}

/** An integer operand, as a bigint when it is large. Integral floats count as integers. */
export function integerArg(name: string, args: readonly Value[], index: number): RegoNumber {
  const n = numberArg(name, args, index);
  if (typeof n === 'number' && !Number.isInteger(n)) {
    throw operandValueError(
      name,
      index + 1,
      'must be integer number but got floating-point number',
    );
  }
  return n;
}

/** An integer operand that must fit a JavaScript number (indexes, counts, small amounts). */
export function safeIntegerArg(name: string, args: readonly Value[], index: number): number {
  const n = integerArg(name, args, index);
  if (typeof n === 'bigint') throw operandValueError(name, index + 1, 'is out of range');
  return n;
}

export function booleanArg(name: string, args: readonly Value[], index: number): boolean {
  const value = arg(args, index);
  if (value.kind !== 'boolean') throw operandError(name, index + 1, 'boolean', value);
  return value.value;
}

export function arrayArg(name: string, args: readonly Value[], index: number): ArrayValue {
  const value = arg(args, index);
  if (value.kind !== 'array') throw operandError(name, index + 1, 'array', value);
  return value;
}

export function setArg(name: string, args: readonly Value[], index: number): SetValue {
  const value = arg(args, index);
  if (value.kind !== 'set') throw operandError(name, index + 1, 'set', value);
  return value;
}

export function objectArg(name: string, args: readonly Value[], index: number): ObjectValue {
  const value = arg(args, index);
  if (value.kind !== 'object') throw operandError(name, index + 1, 'object', value);
  return value;
}

/** The members of an array or a set operand, in array order or OPA's set order. */
export function arrayOrSetItems(
  name: string,
  args: readonly Value[],
  index: number,
): readonly Value[] {
  const value = arg(args, index);
  if (value.kind === 'array') return value.items;
  if (value.kind === 'set') return sortedSetItems(value);
  throw operandError(name, index + 1, ['array', 'set'], value);
}

/** Strings of an array or set operand of strings (`concat`, `strings.any_prefix_match`, …). */
export function stringCollectionArg(
  name: string,
  args: readonly Value[],
  index: number,
): readonly string[] {
  const value = arg(args, index);
  const items =
    value.kind === 'array' ? value.items : value.kind === 'set' ? sortedSetItems(value) : undefined;
  if (items === undefined) throw operandError(name, index + 1, ['array', 'set'], value);
  return items.map((item) => {
    if (item.kind !== 'string') {
      throw operandValueError(
        name,
        index + 1,
        `must be array or set of strings but got ${typeName(value)} containing ${typeName(item)}`,
      );
    }
    return item.value;
  });
}

/** `string` or array/set of strings, as `strings.any_prefix_match` accepts. */
export function stringOrCollectionArg(
  name: string,
  args: readonly Value[],
  index: number,
): readonly string[] {
  const value = arg(args, index);
  if (value.kind === 'string') return [value.value];
  if (value.kind === 'array' || value.kind === 'set') return stringCollectionArg(name, args, index);
  throw operandError(name, index + 1, ['string', 'array', 'set'], value);
}

/** Set members in OPA's order, which is what every builtin iterating a set observes. */
export function sortedSetItems(value: SetValue): Value[] {
  return sortInPlace([...value.items.values()], compareValues);
}
