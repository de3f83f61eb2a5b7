/** Comparison operators (`==`, `!=`, `<`, …) as builtins: OPA's total order over all values. */

import type { Value } from '../value/value.js';
import { bool } from '../value/value-builders.js';
import { compareValues } from '../value/value-compare.js';
import type { BuiltinDefinition, BuiltinImplementation } from './builtin.js';

/**
 * The order of two operands. Numbers (doubles) and strings, nearly every comparison in a
 * policy, are compared here directly; the rest goes through OPA's total order.
 */
function order(args: readonly Value[]): number {
  const a = args[0] as Value;
  const b = args[1] as Value;
  if (a.kind === 'number' && b.kind === 'number') {
    const x = a.value;
    const y = b.value;
    if (typeof x === 'number' && typeof y === 'number') return x < y ? -1 : x > y ? 1 : 0;
  } else if (a.kind === 'string' && b.kind === 'string') {
    return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
  }
  return compareValues(a, b);
}

// One function per operator, not one shared closure calling a predicate: the call sites stay
// monomorphic and V8 inlines the comparison.
function comparison(name: string, implementation: BuiltinImplementation): BuiltinDefinition {
  return { name, arity: 2, implementation };
}

export const COMPARISON_BUILTINS: readonly BuiltinDefinition[] = [
  comparison('equal', (args) => bool(order(args) === 0)),
  comparison('neq', (args) => bool(order(args) !== 0)),
  comparison('lt', (args) => bool(order(args) < 0)),
  comparison('lte', (args) => bool(order(args) <= 0)),
  comparison('gt', (args) => bool(order(args) > 0)),
  comparison('gte', (args) => bool(order(args) >= 0)),
];
