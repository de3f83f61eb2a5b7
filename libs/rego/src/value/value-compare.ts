/**
 * OPA's total order of values: null < boolean < number < string < array < object < set,
 * then by content. Used for sorting set members and object keys in output and for
 * comparison operators.
 */
import { sortInPlace } from './small-sort.js';
import type { ObjectValue, RegoNumber, Value } from './value.js';

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
        sortInPlace([...a.items.values()], compareValues),
        sortInPlace([...(b as typeof a).items.values()], compareValues),
      );
    case 'object': {
      const byStringKeys = compareStringKeyedObjects(a, b as typeof a);
      if (byStringKeys !== undefined) return byStringKeys;
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

/** Objects of at most this many entries are compared without sorting (and allocating). */
const SMALL_OBJECT = 16;

/**
 * Two small objects whose keys are all strings, compared in key order without sorting their
 * entries: each step takes the next key of each by a scan of its map. String keys' canonical
 * keys (`"` and the string) order as the strings do. Undefined for any other pair. Sorting
 * violation objects (`sort`, set output) compares each pair several times, and a sort of the
 * entries of both for every comparison was most of what that allocated.
 */
function compareStringKeyedObjects(a: ObjectValue, b: ObjectValue): number | undefined {
  if (a.entries.size > SMALL_OBJECT || b.entries.size > SMALL_OBJECT) return undefined;
  if (!stringKeysOnly(a) || !stringKeysOnly(b)) return undefined;
  let afterA: string | undefined;
  let afterB: string | undefined;
  for (;;) {
    const ka = nextKey(a, afterA);
    const kb = nextKey(b, afterB);
    if (ka === undefined || kb === undefined) return ka === kb ? 0 : ka === undefined ? -1 : 1;
    if (ka !== kb) return ka < kb ? -1 : 1;
    const byValue = compareValues(a.entries.get(ka)![1], b.entries.get(kb)![1]);
    if (byValue !== 0) return byValue;
    afterA = ka;
    afterB = kb;
  }
}

function stringKeysOnly(o: ObjectValue): boolean {
  for (const key of o.entries.keys()) if (key.charCodeAt(0) !== 0x22) return false;
  return true;
}

/** The smallest canonical key of `o` after `after` (the first when undefined). */
function nextKey(o: ObjectValue, after: string | undefined): string | undefined {
  let best: string | undefined;
  for (const key of o.entries.keys()) {
    if (after !== undefined && key <= after) continue;
    if (best === undefined || key < best) best = key;
  }
  return best;
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
