/** Array builtins: `array.concat`, `array.slice`, `array.reverse`, `array.flatten` (one level, as OPA). */

import { arr } from '../value/value-builders.js';
import type { BuiltinDefinition } from './builtin.js';
import { arrayArg, integerArg } from './operands.js';

function clampIndex(n: number | bigint, length: number): number {
  const v = typeof n === 'bigint' ? (n < 0n ? -1 : length + 1) : n;
  return Math.min(Math.max(v, 0), length);
}

export const ARRAY_BUILTINS: readonly BuiltinDefinition[] = [
  {
    name: 'array.concat',
    arity: 2,
    implementation: (args) => {
      const a = arrayArg('array.concat', args, 0);
      const b = arrayArg('array.concat', args, 1);
      return arr([...a.items, ...b.items]);
    },
  },
  {
    name: 'array.slice',
    arity: 3,
    implementation: (args) => {
      const a = arrayArg('array.slice', args, 0);
      const start = clampIndex(integerArg('array.slice', args, 1), a.items.length);
      const stop = clampIndex(integerArg('array.slice', args, 2), a.items.length);
      return arr(start >= stop ? [] : a.items.slice(start, stop));
    },
  },
  {
    name: 'array.flatten',
    arity: 1,
    implementation: (args) =>
      arr(
        arrayArg('array.flatten', args, 0).items.flatMap((item) =>
          item.kind === 'array' ? item.items : [item],
        ),
      ),
  },
  {
    name: 'array.reverse',
    arity: 1,
    implementation: (args) => arr([...arrayArg('array.reverse', args, 0).items].reverse()),
  },
];
