/** Bitwise builtins on integers (`bits.and/or/xor/negate/lsh/rsh`), exact through bigint. */
import { num } from '../value/value-builders.js';
import type { BuiltinDefinition } from './builtin.js';
import { toBigInt } from './numbers/number-ops.js';
import { builtinError, integerArg, operandValueError } from './operands.js';

function binary(name: string, op: (a: bigint, b: bigint) => bigint): BuiltinDefinition {
  return {
    name,
    arity: 2,
    implementation: (args) =>
      num(op(toBigInt(integerArg(name, args, 0)), toBigInt(integerArg(name, args, 1)))),
  };
}

/** Shifts past this would build numbers of megabytes; no policy needs them. */
const MAX_SHIFT = 65_536n;

function shift(name: string, op: (a: bigint, b: bigint) => bigint): BuiltinDefinition {
  return binary(name, (a, b) => {
    if (b < 0n) {
      throw operandValueError(
        name,
        2,
        'must be an unsigned integer number but got a negative integer',
      );
    }
    if (b > MAX_SHIFT)
      throw builtinError(name, `shift of ${b} bits exceeds the limit of ${MAX_SHIFT}`);
    return op(a, b);
  });
}

export const BITS_BUILTINS: readonly BuiltinDefinition[] = [
  binary('bits.and', (a, b) => a & b),
  binary('bits.or', (a, b) => a | b),
  binary('bits.xor', (a, b) => a ^ b),
  {
    name: 'bits.negate',
    arity: 1,
    implementation: (args) => num(~toBigInt(integerArg('bits.negate', args, 0))),
  },
  shift('bits.lsh', (a, b) => a << b),
  shift('bits.rsh', (a, b) => a >> b),
];
