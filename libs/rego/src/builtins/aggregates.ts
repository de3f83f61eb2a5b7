/** Aggregates over collections: `count`, `sum`, `product`, `max`, `min`, `sort`, `all`, `any`. */

import { sortInPlace } from '../value/small-sort.js';
import type { NumberValue, Value } from '../value/value.js';
import { arr, bool, num } from '../value/value-builders.js';
import { compareValues } from '../value/value-compare.js';
import type { BuiltinDefinition } from './builtin.js';
import { add, multiply } from './numbers/number-ops.js';
import { arrayOrSetItems, operandError, operandValueError } from './operands.js';
import { runeCount } from './strings/runes.js';

function numbersOf(name: string, args: readonly Value[]): NumberValue[] {
  const items = arrayOrSetItems(name, args, 0);
  return items.map((item) => {
    if (item.kind !== 'number') {
      throw operandValueError(name, 1, `must be array or set of numbers but got ${item.kind}`);
    }
    return item;
  });
}

function extreme(name: string, keep: (order: number) => boolean): BuiltinDefinition {
  return {
    name,
    arity: 1,
    implementation: (args) => {
      const items = arrayOrSetItems(name, args, 0);
      let best: Value | undefined;
      for (const item of items)
        if (best === undefined || keep(compareValues(item, best))) best = item;
      return best;
    },
  };
}

function booleanFold(name: string, every: boolean): BuiltinDefinition {
  const isTrue = (item: Value) => item.kind === 'boolean' && item.value;
  return {
    name,
    arity: 1,
    deprecated: true,
    implementation: (args) => {
      const items = arrayOrSetItems(name, args, 0);
      return bool(every ? items.every(isTrue) : items.some(isTrue));
    },
  };
}

export const AGGREGATE_BUILTINS: readonly BuiltinDefinition[] = [
  {
    name: 'count',
    arity: 1,
    implementation: (args) => {
      const value = args[0] as Value;
      switch (value.kind) {
        case 'array':
          return num(value.items.length);
        case 'set':
          return num(value.items.size);
        case 'object':
          return num(value.entries.size);
        case 'string':
          return num(runeCount(value.value));
        default:
          throw operandError('count', 1, ['array', 'object', 'set', 'string'], value);
      }
    },
  },
  {
    name: 'sum',
    arity: 1,
    implementation: (args) =>
      numbersOf('sum', args).reduce((acc, n) => add(acc.value, n.value), num(0)),
  },
  {
    name: 'product',
    arity: 1,
    implementation: (args) =>
      numbersOf('product', args).reduce((acc, n) => multiply(acc.value, n.value), num(1)),
  },
  extreme('max', (c) => c > 0),
  extreme('min', (c) => c < 0),
  {
    name: 'sort',
    arity: 1,
    implementation: (args) => {
      const value = args[0] as Value;
      if (value.kind === 'set') return arr(arrayOrSetItems('sort', args, 0));
      return arr(sortInPlace([...arrayOrSetItems('sort', args, 0)], compareValues));
    },
  },
  // Deprecated in OPA: v0 modules only.
  booleanFold('all', true),
  booleanFold('any', false),
];
