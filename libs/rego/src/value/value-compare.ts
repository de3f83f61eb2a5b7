/**
 * OPA's total order of values: null < boolean < number < string < array < object < set,
 * then by content. Used for sorting set members and object keys in output and for
 * comparison operators.
 */
import type { RegoNumber, Value } from './value.js';

const KIND_ORDER = { null: 0, boolean: 1, number: 2, string: 3, array: 4, object: 5, set: 6 };

export function compareNumbers(a: RegoNumber, b: RegoNumber): number {
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  // Mixed: a bigint is outside the safe range, so compare through the float only when it decides.
  const fa = Number(a);
  const fb = Number(b);
  if (fa !== fb) return fa < fb ? -1 : 1;
  const ia = typeof a === 'bigint' ? a : Number.isInteger(a) ? BigInt(a) : undefined;
  const ib = typeof b === 'bigint' ? b : Number.isInteger(b) ? BigInt(b) : undefined;
  if (ia === undefined || ib === undefined) return 0;
  return ia < ib ? -1 : ia > ib ? 1 : 0;
}

export function compareValues(a: Value, b: Value): number {
  if (a.kind !== b.kind) return KIND_ORDER[a.kind] - KIND_ORDER[b.kind];
  switch (a.kind) {
    case 'null':
      return 0;
    case 'boolean':
      return Number(a.value) - Number((b as typeof a).value);
    case 'number':
      return compareNumbers(a.value, (b as typeof a).value);
    case 'string': {
      const bv = (b as typeof a).value;
      return a.value < bv ? -1 : a.value > bv ? 1 : 0;
    }
    case 'array':
      return compareSequences(a.items, (b as typeof a).items);
    case 'set':
      return compareSequences(
        [...a.items.values()].sort(compareValues),
        [...(b as typeof a).items.values()].sort(compareValues),
      );
    case 'object': {
      const ea = [...a.entries.values()].sort((x, y) => compareValues(x[0], y[0]));
      const eb = [...(b as typeof a).entries.values()].sort((x, y) => compareValues(x[0], y[0]));
      const n = Math.min(ea.length, eb.length);
      for (let i = 0; i < n; i++) {
        const byKey = compareValues(ea[i]![0], eb[i]![0]);
        if (byKey !== 0) return byKey;
        const byValue = compareValues(ea[i]![1], eb[i]![1]);
        if (byValue !== 0) return byValue;
      }
      return ea.length - eb.length;
    }
  }
}

function compareSequences(a: readonly Value[], b: readonly Value[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = compareValues(a[i]!, b[i]!);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

export function valuesEqual(a: Value, b: Value): boolean {
  return compareValues(a, b) === 0;
}
