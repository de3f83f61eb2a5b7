/** Set operators and builtins: `and` (`&`), `or` (`|`), `intersection`, `union`. */

import type { SetValue, Value } from '../value/value.js';
import { set } from '../value/value-builders.js';
import type { BuiltinDefinition } from './builtin.js';
import { operandValueError, setArg } from './operands.js';

function intersect(a: SetValue, b: SetValue): SetValue {
  const [small, large] = a.items.size <= b.items.size ? [a, b] : [b, a];
  return set([...small.items].filter(([key]) => large.items.has(key)).map(([, v]) => v));
}

function setsOf(name: string, args: readonly Value[]): SetValue[] {
  const outer = setArg(name, args, 0);
  return [...outer.items.values()].map((item) => {
    if (item.kind !== 'set')
      throw operandValueError(name, 1, `must be set of sets but got set containing ${item.kind}`);
    return item;
  });
}

export const SET_BUILTINS: readonly BuiltinDefinition[] = [
  {
    name: 'and',
    arity: 2,
    implementation: (args) => intersect(setArg('and', args, 0), setArg('and', args, 1)),
  },
  {
    name: 'or',
    arity: 2,
    implementation: (args) => {
      const a = setArg('or', args, 0);
      const b = setArg('or', args, 1);
      return set([...a.items.values(), ...b.items.values()]);
    },
  },
  {
    name: 'intersection',
    arity: 1,
    implementation: (args) => {
      const sets = setsOf('intersection', args);
      if (sets.length === 0) return set([]);
      return sets.reduce(intersect);
    },
  },
  {
    name: 'union',
    arity: 1,
    implementation: (args) => set(setsOf('union', args).flatMap((s) => [...s.items.values()])),
  },
];
