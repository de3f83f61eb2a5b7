/**
 * Exact arithmetic on Rego numbers: integers stay exact (bigint past 2^53), anything
 * involving a non-integer is IEEE double arithmetic. Shared by the operators and
 * every builtin that computes with numbers.
 */

import type { NumberValue, RegoNumber } from '../../value/value.js';
import { num } from '../../value/value-builders.js';

export function isInteger(n: RegoNumber): boolean {
  return typeof n === 'bigint' || Number.isInteger(n);
}

/** The integer as a bigint; only call with `isInteger(n)`. */
export function toBigInt(n: RegoNumber): bigint {
  return typeof n === 'bigint' ? n : BigInt(n);
}

export function toFloat(n: RegoNumber): number {
  return typeof n === 'number' ? n : Number(n);
}

function bothSafe(a: RegoNumber, b: RegoNumber): a is number {
  return typeof a === 'number' && typeof b === 'number';
}

/** Result of an integer operation done on doubles, kept only while it is exact. */
function exactOrBig(
  result: number,
  a: RegoNumber,
  b: RegoNumber,
  big: (x: bigint, y: bigint) => bigint,
): NumberValue {
  if (Number.isSafeInteger(result)) return num(result);
  return num(big(toBigInt(a), toBigInt(b)));
}

export function add(a: RegoNumber, b: RegoNumber): NumberValue {
  if (bothSafe(a, b)) {
    const r = a + (b as number);
    if (Number.isInteger(a) && Number.isInteger(b)) return exactOrBig(r, a, b, (x, y) => x + y);
    return num(r);
  }
  if (isInteger(a) && isInteger(b)) return num(toBigInt(a) + toBigInt(b));
  return num(toFloat(a) + toFloat(b));
}

export function subtract(a: RegoNumber, b: RegoNumber): NumberValue {
  if (bothSafe(a, b)) {
    const r = a - (b as number);
    if (Number.isInteger(a) && Number.isInteger(b)) return exactOrBig(r, a, b, (x, y) => x - y);
    return num(r);
  }
  if (isInteger(a) && isInteger(b)) return num(toBigInt(a) - toBigInt(b));
  return num(toFloat(a) - toFloat(b));
}

export function multiply(a: RegoNumber, b: RegoNumber): NumberValue {
  if (bothSafe(a, b)) {
    const r = a * (b as number);
    if (Number.isInteger(a) && Number.isInteger(b)) return exactOrBig(r, a, b, (x, y) => x * y);
    return num(r);
  }
  if (isInteger(a) && isInteger(b)) return num(toBigInt(a) * toBigInt(b));
  return num(toFloat(a) * toFloat(b));
}

/** Division; `undefined` for a zero divisor (the caller words the error). Exact when it divides evenly. */
export function divide(a: RegoNumber, b: RegoNumber): NumberValue | undefined {
  if (isZero(b)) return undefined;
  if (typeof a === 'bigint' || typeof b === 'bigint') {
    if (isInteger(a) && isInteger(b)) {
      const x = toBigInt(a);
      const y = toBigInt(b);
      if (x % y === 0n) return num(x / y);
    }
  }
  return num(toFloat(a) / toFloat(b));
}

/** Remainder of integers (sign of the dividend, as Go's big.Int.Rem). */
export function remainder(a: RegoNumber, b: RegoNumber): NumberValue {
  if (bothSafe(a, b)) return num(a % (b as number));
  return num(toBigInt(a) % toBigInt(b));
}

export function isZero(n: RegoNumber): boolean {
  return typeof n === 'bigint' ? n === 0n : n === 0;
}

export function negate(n: RegoNumber): NumberValue {
  return num(typeof n === 'bigint' ? -n : -n);
}

export function absolute(n: RegoNumber): NumberValue {
  if (typeof n === 'bigint') return num(n < 0n ? -n : n);
  return num(Math.abs(n));
}

export function sign(n: RegoNumber): number {
  if (typeof n === 'bigint') return n < 0n ? -1 : n > 0n ? 1 : 0;
  return n < 0 ? -1 : n > 0 ? 1 : 0;
}

/** Rounds half away from zero, as Go's math.Round. */
export function roundHalfAway(n: number): number {
  return n < 0 ? -Math.round(-n) : Math.round(n);
}

/** Parses a decimal number the way Rego and JSON write them, keeping big integers exact. */
export function parseNumber(text: string): NumberValue | undefined {
  if (!/^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/.test(text)) return undefined;
  if (/^-?\d+$/.test(text)) {
    const n = Number(text);
    return num(Number.isSafeInteger(n) ? n : BigInt(text));
  }
  const n = Number(text);
  if (!Number.isFinite(n)) return undefined;
  return num(n);
}
