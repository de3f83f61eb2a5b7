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
  return compareOperands(args[0] as Value, args[1] as Value);
}

/** `order` of two operands given apart (what a comparison literal compiled by the evaluator calls). */
export function compareOperands(a: Value, b: Value): number {
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

const EQUAL = comparison('equal', (args) => bool(order(args) === 0));
const NEQ = comparison('neq', (args) => bool(order(args) !== 0));
const LT = comparison('lt', (args) => bool(order(args) < 0));
const LTE = comparison('lte', (args) => bool(order(args) <= 0));
const GT = comparison('gt', (args) => bool(order(args) > 0));
const GTE = comparison('gte', (args) => bool(order(args) >= 0));

export const COMPARISON_BUILTINS: readonly BuiltinDefinition[] = [EQUAL, NEQ, LT, LTE, GT, GTE];

/**
 * A comparison operator as a code: the evaluator compiles a literal that calls one of these
 * builtins (`count(found) > 0`, `indexof(s, t) != -1`) to a direct comparison of its operands.
 */
export const ComparisonOp = {
  Equal: 0,
  NotEqual: 1,
  Less: 2,
  LessOrEqual: 3,
  Greater: 4,
  GreaterOrEqual: 5,
} as const;
export type ComparisonOp = (typeof ComparisonOp)[keyof typeof ComparisonOp];

const OPERATORS = new Map<BuiltinDefinition, ComparisonOp>([
  [EQUAL, ComparisonOp.Equal],
  [NEQ, ComparisonOp.NotEqual],
  [LT, ComparisonOp.Less],
  [LTE, ComparisonOp.LessOrEqual],
  [GT, ComparisonOp.Greater],
  [GTE, ComparisonOp.GreaterOrEqual],
]);

/** The operator a builtin is, or undefined when it is not one of the comparison builtins. */
export function comparisonOperator(def: BuiltinDefinition): ComparisonOp | undefined {
  return OPERATORS.get(def);
}

/** Whether `order` (compareOperands' result) satisfies the operator. */
export function satisfies(op: ComparisonOp, order: number): boolean {
  switch (op) {
    case ComparisonOp.Equal:
      return order === 0;
    case ComparisonOp.NotEqual:
      return order !== 0;
    case ComparisonOp.Less:
      return order < 0;
    case ComparisonOp.LessOrEqual:
      return order <= 0;
    case ComparisonOp.Greater:
      return order > 0;
    case ComparisonOp.GreaterOrEqual:
      return order >= 0;
  }
}
