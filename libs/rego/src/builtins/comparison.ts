/** Comparison operators (`==`, `!=`, `<`, …) as builtins: OPA's total order over all values. */

import type { Value } from '../value/value.js';
import { bool } from '../value/value-builders.js';
import { compareValues } from '../value/value-compare.js';
import type { BuiltinDefinition } from './builtin.js';

function comparison(name: string, test: (order: number) => boolean): BuiltinDefinition {
  return {
    name,
    arity: 2,
    implementation: (args) => bool(test(compareValues(args[0] as Value, args[1] as Value))),
  };
}

export const COMPARISON_BUILTINS: readonly BuiltinDefinition[] = [
  comparison('equal', (c) => c === 0),
  comparison('neq', (c) => c !== 0),
  comparison('lt', (c) => c < 0),
  comparison('lte', (c) => c <= 0),
  comparison('gt', (c) => c > 0),
  comparison('gte', (c) => c >= 0),
];
