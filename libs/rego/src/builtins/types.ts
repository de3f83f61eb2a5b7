/** Type predicates (`is_string`, …) and `type_name`. The predicates are false on other types, as in OPA. */

import type { Value, ValueKind } from '../value/value.js';
import { bool, str } from '../value/value-builders.js';
import type { BuiltinDefinition } from './builtin.js';

function predicate(name: string, kind: ValueKind): BuiltinDefinition {
  return {
    name,
    arity: 1,
    implementation: (args) => bool((args[0] as Value).kind === kind),
  };
}

export const TYPE_BUILTINS: readonly BuiltinDefinition[] = [
  predicate('is_number', 'number'),
  predicate('is_string', 'string'),
  predicate('is_boolean', 'boolean'),
  predicate('is_array', 'array'),
  predicate('is_set', 'set'),
  predicate('is_object', 'object'),
  predicate('is_null', 'null'),
  { name: 'type_name', arity: 1, implementation: (args) => str((args[0] as Value).kind) },
];
