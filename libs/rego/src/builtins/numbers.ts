/** Arithmetic operators and number builtins (`plus`, `rem`, `round`, `numbers.range`, `rand.intn`, …). */

import type { RegoNumber, Value } from '../value/value.js';
import { arr, num, set } from '../value/value-builders.js';
import type { BuiltinContext, BuiltinDefinition } from './builtin.js';
import {
  absolute,
  add,
  divide,
  isInteger,
  isZero,
  multiply,
  remainder,
  roundHalfAway,
  subtract,
  toBigInt,
} from './numbers/number-ops.js';
import {
  builtinError,
  integerArg,
  numberArg,
  operandError,
  safeIntegerArg,
  stringArg,
} from './operands.js';

function binary(name: string, op: (a: RegoNumber, b: RegoNumber) => Value): BuiltinDefinition {
  return {
    name,
    arity: 2,
    implementation: (args) => op(numberArg(name, args, 0), numberArg(name, args, 1)),
  };
}

function unary(name: string, op: (n: RegoNumber) => Value): BuiltinDefinition {
  return { name, arity: 1, implementation: (args) => op(numberArg(name, args, 0)) };
}

const minus: BuiltinDefinition = {
  name: 'minus',
  arity: 2,
  implementation: (args) => {
    const [a, b] = args as [Value, Value];
    if (a.kind === 'number' && b.kind === 'number') return subtract(a.value, b.value);
    if (a.kind === 'set' && b.kind === 'set') {
      return set([...a.items].filter(([key]) => !b.items.has(key)).map(([, v]) => v));
    }
    if (a.kind !== 'number' && a.kind !== 'set')
      throw operandError('minus', 1, ['number', 'set'], a);
    throw operandError('minus', 2, a.kind, b);
  },
};

/** Beyond this, a range would exhaust memory before the query's budget could stop it. */
const MAX_RANGE = 1_000_000n;

function rangeArray(name: string, start: RegoNumber, stop: RegoNumber, step: bigint): Value {
  const items: Value[] = [];
  const a = toBigInt(start);
  const b = toBigInt(stop);
  const size = (a <= b ? b - a : a - b) / step + 1n;
  if (size > MAX_RANGE)
    throw builtinError(name, `a range of ${size} numbers exceeds the limit of ${MAX_RANGE}`);
  if (a <= b) for (let i = a; i <= b; i += step) items.push(num(i));
  else for (let i = a; i >= b; i -= step) items.push(num(i));
  return arr(items);
}

function integral(op: (n: number) => number) {
  return (n: RegoNumber): Value => (typeof n === 'bigint' ? num(n) : num(op(n)));
}

interface RandomCache {
  nowNs: bigint;
  values: Map<string, number>;
}

/** `rand.intn` is stable within a query: remember draws per query clock. */
function randomInt(context: BuiltinContext, seed: string, n: number): number {
  let cache = context.cache.get('rand.intn') as RandomCache | undefined;
  if (cache === undefined || cache.nowNs !== context.nowNs) {
    cache = { nowNs: context.nowNs, values: new Map() };
    context.cache.set('rand.intn', cache);
  }
  const key = `${seed}\u0000${n}`;
  let value = cache.values.get(key);
  if (value === undefined) {
    value = Math.floor(Math.random() * n);
    cache.values.set(key, value);
  }
  return value;
}

export const NUMBER_BUILTINS: readonly BuiltinDefinition[] = [
  binary('plus', add),
  minus,
  binary('mul', multiply),
  binary('div', (a, b) => {
    const result = divide(a, b);
    if (result === undefined) throw builtinError('div', 'divide by zero');
    return result;
  }),
  binary('rem', (a, b) => {
    if (!isInteger(a) || !isInteger(b))
      throw builtinError('rem', 'modulo on floating-point number');
    if (isZero(b)) throw builtinError('rem', 'modulo by zero');
    return remainder(a, b);
  }),
  unary('abs', absolute),
  unary('ceil', integral(Math.ceil)),
  unary('floor', integral(Math.floor)),
  unary('round', integral(roundHalfAway)),
  {
    name: 'numbers.range',
    arity: 2,
    implementation: (args) =>
      rangeArray(
        'numbers.range',
        integerArg('numbers.range', args, 0),
        integerArg('numbers.range', args, 1),
        1n,
      ),
  },
  {
    name: 'numbers.range_step',
    arity: 3,
    implementation: (args) => {
      const name = 'numbers.range_step';
      const start = integerArg(name, args, 0);
      const stop = integerArg(name, args, 1);
      const step = integerArg(name, args, 2);
      if (toBigInt(step) <= 0n) throw builtinError(name, 'step must be a positive integer');
      return rangeArray(name, start, stop, toBigInt(step));
    },
  },
  {
    name: 'rand.intn',
    arity: 2,
    nondeterministic: true,
    implementation: (args, context) => {
      const seed = stringArg('rand.intn', args, 0);
      const n = Math.abs(safeIntegerArg('rand.intn', args, 1));
      return num(n === 0 ? 0 : randomInt(context, seed, n));
    },
  },
];
