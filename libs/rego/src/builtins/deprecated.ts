/**
 * Builtins OPA deprecated: still callable from Rego v0 modules, unknown in v1 (the compiler
 * checks `deprecated`). `all`, `any` and `re_match` live with their categories.
 */

import type { Value } from '../value/value.js';
import { arr, set } from '../value/value-builders.js';
import type { BuiltinDefinition } from './builtin.js';
import { operandError, setArg, sortedSetItems } from './operands.js';

function cast(
  name: string,
  kinds: readonly Value['kind'][],
  convert: (v: Value) => Value,
): BuiltinDefinition {
  return {
    name,
    arity: 1,
    deprecated: true,
    implementation: (args) => {
      const value = args[0] as Value;
      if (!kinds.includes(value.kind))
        throw operandError(name, 1, kinds.length === 1 ? (kinds[0] as string) : kinds, value);
      return convert(value);
    },
  };
}

export const DEPRECATED_BUILTINS: readonly BuiltinDefinition[] = [
  cast('cast_array', ['array', 'set'], (v) => (v.kind === 'set' ? arr(sortedSetItems(v)) : v)),
  cast('cast_set', ['array', 'set'], (v) => (v.kind === 'array' ? set(v.items) : v)),
  cast('cast_string', ['string'], (v) => v),
  cast('cast_boolean', ['boolean'], (v) => v),
  cast('cast_null', ['null'], (v) => v),
  cast('cast_object', ['object'], (v) => v),
  {
    name: 'set_diff',
    arity: 2,
    deprecated: true,
    implementation: (args) => {
      const a = setArg('set_diff', args, 0);
      const b = setArg('set_diff', args, 1);
      return set([...a.items].filter(([key]) => !b.items.has(key)).map(([, v]) => v));
    },
  },
];
