import { describe, expect, it } from 'vitest';
import { num } from '../src/value/index.js';
import { call, callError, callValue, testContext } from './builtin-harness.js';

describe('comparison builtins', () => {
  it('compare across types in OPA order: null < boolean < number < string < array < object < set', () => {
    expect(call('lt', null, false)).toBe(true);
    expect(call('lt', 99, 'a')).toBe(true);
    expect(call('lt', [], {})).toBe(true);
    expect(call('lt', {}, new Set())).toBe(true);
    expect(call('gte', 2, 2)).toBe(true);
    expect(call('neq', [1], [1])).toBe(false);
  });

  it('treat 1 and 1.0 as equal numbers', () => {
    expect(call('equal', 1, 1.0)).toBe(true);
  });
});

describe('arithmetic', () => {
  it('keeps integers past 2^53 exact', () => {
    expect(call('plus', 9007199254740991, 2)).toBe(9007199254740993n);
    expect(call('mul', 4294967296, 4294967296)).toBe(18446744073709551616n);
    expect(call('minus', 10n ** 20n, 1)).toBe(99999999999999999999n);
  });

  it('uses floating point once a float is involved', () => {
    expect(call('mul', 3, 4.5)).toBe(13.5);
    expect(call('div', 15.3, 3)).toBe(5.1000000000000005);
    expect(call('div', 13, 4)).toBe(3.25);
  });

  it('divides big integers exactly when they divide evenly', () => {
    expect(call('div', 10n ** 30n, 10n ** 10n)).toBe(10n ** 20n);
  });

  it('fails on division and modulo by zero and on modulo of floats', () => {
    expect(callError('div', 1, 0)).toBe('div: divide by zero');
    expect(callError('rem', 1, 0)).toBe('rem: modulo by zero');
    expect(callError('rem', 1.5, 1)).toBe('rem: modulo on floating-point number');
  });

  it('takes the remainder with the sign of the dividend, as Go does', () => {
    expect(call('rem', -7, 3)).toBe(-1);
    expect(call('rem', 10, 3)).toBe(1);
  });

  it('computes set difference with minus on sets', () => {
    expect(call('minus', new Set([1, 2, 3]), new Set([2]))).toEqual([1, 3]);
  });

  it('rejects mixing a number and a set in minus', () => {
    expect(callError('minus', 1, new Set([1]))).toBe('minus: operand 2 must be number but got set');
  });
});

describe('number builtins', () => {
  it('rounds half away from zero, and floors and ceils to integers', () => {
    expect([-9.5, -9.4, 9.5, 8].map((n) => call('round', n))).toEqual([-10, -9, 10, 8]);
    expect(call('floor', -9.1)).toBe(-10);
    expect(call('ceil', 9.1)).toBe(10);
    expect(call('abs', -9.1)).toBe(9.1);
  });

  it('builds inclusive ranges in either direction, with steps', () => {
    expect(call('numbers.range', 1, 4)).toEqual([1, 2, 3, 4]);
    expect(call('numbers.range', -1, -3)).toEqual([-1, -2, -3]);
    expect(call('numbers.range_step', 0, 10, 4)).toEqual([0, 4, 8]);
    expect(callError('numbers.range', 1.5, 3)).toBe(
      'numbers.range: operand 1 must be integer number but got floating-point number',
    );
    expect(callError('numbers.range_step', 0, 10, 0)).toMatch(/step must be a positive/);
  });

  it('refuses ranges and shifts too large to build, instead of exhausting memory', () => {
    expect(callError('numbers.range', 1, 10_000_000_000)).toMatch(
      /^numbers.range: a range of 10000000000 numbers exceeds/,
    );
    expect(call('numbers.range_step', 0, 10_000_000_000, 20_000)).toHaveLength(500_001);
    expect(callError('bits.lsh', 1, 10_000_000)).toMatch(
      /^bits.lsh: shift of 10000000 bits exceeds/,
    );
  });

  it('draws rand.intn once per seed and bound within a query', () => {
    const context = testContext();
    const first = callValue('rand.intn', ['x', 1000], context);
    expect(callValue('rand.intn', ['x', 1000], context)).toEqual(first);
    expect(callValue('rand.intn', ['b', 0], context)).toEqual(num(0));
    const value = first?.kind === 'number' ? first.value : -1;
    expect(value).toBeGreaterThanOrEqual(0);
    expect(value).toBeLessThan(1000);
  });
});

describe('bitwise builtins', () => {
  it('operate on integers, exactly for large ones', () => {
    expect(call('bits.and', 12, 10)).toBe(8);
    expect(call('bits.or', 12, 10)).toBe(14);
    expect(call('bits.xor', 12, 10)).toBe(6);
    expect(call('bits.negate', 9)).toBe(-10);
    expect(call('bits.lsh', 1, 64)).toBe(18446744073709551616n);
    expect(call('bits.rsh', 9, 2)).toBe(2);
  });

  it('reject floats and negative shifts', () => {
    expect(callError('bits.and', 1.5, 1)).toMatch(/operand 1 must be integer/);
    expect(callError('bits.lsh', 1, -1)).toMatch(/operand 2 must be an unsigned integer/);
  });
});
