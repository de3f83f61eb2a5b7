/** Reading into values: lookup by key, iteration, equality fast paths and path updates for `with`. */

import type { ValTerm } from '../compiler/ir.js';
import type { ObjectValue, SetValue, Value } from '../value/value.js';
import { num, obj, str } from '../value/value-builders.js';
import { compareValues } from '../value/value-compare.js';
import { keyOf } from '../value/value-key.js';

export function lookup(base: Value, key: Value): Value | undefined {
  switch (base.kind) {
    case 'object': {
      const k = key.kind === 'string' ? `"${key.value}` : keyOf(key);
      return base.entries.get(k)?.[1];
    }
    case 'array': {
      if (key.kind !== 'number') return undefined;
      const n = key.value;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) return undefined;
      return base.items[n];
    }
    case 'set':
      return base.items.has(key.kind === 'string' ? `"${key.value}` : keyOf(key)) ? key : undefined;
    default:
      return undefined;
  }
}

/** Lookup by a constant key, reusing its canonical key string (no concatenation, hash cached). */
export function lookupConst(base: Value, seg: ValTerm): Value | undefined {
  if (base.kind === 'object') {
    let key = seg.key;
    if (key === undefined) {
      key = keyOf(seg.v);
      seg.key = key;
    }
    return base.entries.get(key)?.[1];
  }
  return lookup(base, seg.v);
}

export function lookupString(base: Value, key: string): Value | undefined {
  return base.kind === 'object' ? base.entries.get(`"${key}`)?.[1] : undefined;
}

const sortedObjects = new WeakMap<ObjectValue, readonly (readonly [Value, Value])[]>();
const sortedSets = new WeakMap<SetValue, readonly Value[]>();

/** Object entries in OPA's key order (cached per value: values are immutable). */
export function sortedEntries(o: ObjectValue): readonly (readonly [Value, Value])[] {
  let entries = sortedObjects.get(o);
  if (entries === undefined) {
    const list = [...o.entries.values()];
    // String keys (nearly always) sort by plain comparison, as compareValues would.
    const allStrings = list.every((e) => e[0].kind === 'string');
    entries = allStrings
      ? list.sort((a, b) => {
          const x = (a[0] as { value: string }).value;
          const y = (b[0] as { value: string }).value;
          return x < y ? -1 : x > y ? 1 : 0;
        })
      : list.sort((a, b) => compareValues(a[0], b[0]));
    sortedObjects.set(o, entries);
  }
  return entries;
}

export function sortedMembers(s: SetValue): readonly Value[] {
  let members = sortedSets.get(s);
  if (members === undefined) {
    members = [...s.items.values()].sort(compareValues);
    sortedSets.set(s, members);
  }
  return members;
}

/**
 * Calls `visit(key, value)` for each element, objects and sets in OPA's order;
 * stops and returns true when `visit` does.
 */
export function iterate(base: Value, visit: (key: Value, value: Value) => boolean): boolean {
  switch (base.kind) {
    case 'array':
      for (let i = 0; i < base.items.length; i++) if (visit(num(i), base.items[i]!)) return true;
      return false;
    case 'object':
      // An empty collection (a partial rule nothing added to) has no order to cache.
      if (base.entries.size === 0) return false;
      if (base.entries.size === 1) {
        for (const [k, v] of base.entries.values()) return visit(k, v);
      }
      for (const [k, v] of sortedEntries(base)) if (visit(k, v)) return true;
      return false;
    case 'set':
      if (base.items.size === 0) return false;
      for (const m of base.items.size === 1 ? base.items.values() : sortedMembers(base))
        if (visit(m, m)) return true;
      return false;
    default:
      return false;
  }
}

export function equal(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case 'null':
      return true;
    case 'boolean':
    case 'string':
      return a.value === (b as typeof a).value;
    default:
      return compareValues(a, b) === 0;
  }
}

/** A copy of `base` with `value` at `path`, creating objects on the way (for `with`). */
export function setPath(base: Value | undefined, path: readonly string[], value: Value): Value {
  if (path.length === 0) return value;
  const [head, ...rest] = path as [string, ...string[]];
  const current: ObjectValue = base?.kind === 'object' ? base : obj([]);
  const entries = new Map(current.entries);
  entries.set(`"${head}`, [str(head), setPath(current.entries.get(`"${head}`)?.[1], rest, value)]);
  return { kind: 'object', entries };
}
