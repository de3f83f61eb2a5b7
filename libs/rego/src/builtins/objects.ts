/** Object builtins: `object.get/keys/remove/filter/union/union_n/subset` and `json.filter/remove`. */

import type { ObjectValue, Value } from '../value/value.js';
import { arr, bool, obj, set } from '../value/value-builders.js';
import { valuesEqual } from '../value/value-compare.js';
import { keyOf } from '../value/value-key.js';
import { type BuiltinDefinition, BuiltinTypeError } from './builtin.js';
import { child, find, pathOf } from './objects/value-paths.js';
import { arrayArg, objectArg, operandError, operandValueError } from './operands.js';

/** Keys named by an array, a set or an object operand (its keys). */
function keysOf(name: string, args: readonly Value[], index: number): Set<string> {
  const value = args[index] as Value;
  switch (value.kind) {
    case 'array':
      return new Set(value.items.map(keyOf));
    case 'set':
      return new Set(value.items.keys());
    case 'object':
      return new Set([...value.entries.values()].map(([k]) => keyOf(k)));
    default:
      throw operandError(name, index + 1, ['object', 'set', 'array'], value);
  }
}

function union(a: ObjectValue, b: ObjectValue): ObjectValue {
  const entries = new Map(a.entries);
  for (const [key, entry] of b.entries) {
    const existing = entries.get(key);
    if (existing !== undefined && existing[1].kind === 'object' && entry[1].kind === 'object') {
      entries.set(key, [entry[0], union(existing[1], entry[1])]);
    } else {
      entries.set(key, entry);
    }
  }
  return { kind: 'object', entries };
}

/** Object values recurse into objects, sets and arrays; sets and arrays compare members as they are. */
function objectSubset(sup: ObjectValue, sub: ObjectValue): boolean {
  for (const [key, [, value]] of sub.entries) {
    const other = sup.entries.get(key)?.[1];
    if (other === undefined) return false;
    if (valuesEqual(other, value)) continue;
    if (other.kind === 'object' && value.kind === 'object') {
      if (!objectSubset(other, value)) return false;
    } else if (other.kind === 'set' && value.kind === 'set') {
      if (![...value.items.keys()].every((k) => other.items.has(k))) return false;
    } else if (other.kind === 'array' && value.kind === 'array') {
      if (!arraySubset(other.items, value.items)) return false;
    } else {
      return false;
    }
  }
  return true;
}

/** `sub` appears in `sup` as a contiguous run. */
function arraySubset(sup: readonly Value[], sub: readonly Value[]): boolean {
  if (sub.length > sup.length) return false;
  for (let i = 0; i + sub.length <= sup.length; i++) {
    if (sub.every((v, j) => valuesEqual(v, sup[i + j] as Value))) return true;
  }
  return false;
}

/** Every member of the set appears in the array (an empty array holds no set, as in OPA). */
function arraySetSubset(sup: readonly Value[], sub: ReadonlyMap<string, Value>): boolean {
  let unmatched = sub.size;
  for (const item of sup) {
    if (sub.has(keyOf(item))) unmatched--;
    if (unmatched <= 0) return true;
  }
  return false;
}

function isSubset(sup: Value, sub: Value): boolean {
  if (sup.kind === 'object' && sub.kind === 'object') return objectSubset(sup, sub);
  if (sup.kind === 'set' && sub.kind === 'set')
    return [...sub.items.keys()].every((k) => sup.items.has(k));
  if (sup.kind === 'array' && sub.kind === 'array') return arraySubset(sup.items, sub.items);
  if (sup.kind === 'array' && sub.kind === 'set') return arraySetSubset(sup.items, sub.items);
  throw new BuiltinTypeError(
    'object.subset: both arguments object.subset must be of the same type or array and set',
  );
}

/** A tree of path segments: a leaf (`null`) keeps or removes the whole value below it. */
type PathTree = Map<string, { readonly segment: Value; tree: PathTree | null }>;

function pathTree(name: string, value: Value): PathTree {
  const paths =
    value.kind === 'array'
      ? value.items
      : value.kind === 'set'
        ? [...value.items.values()]
        : undefined;
  if (paths === undefined) throw operandError(name, 2, ['array', 'set'], value);
  const root: PathTree = new Map();
  for (const p of paths) {
    const path = pathOf(p);
    if (path === undefined)
      throw operandValueError(
        name,
        2,
        `must be array of strings or arrays but got ${p.kind} element`,
      );
    if (path.length === 0) continue;
    let node = root;
    let done = false;
    for (let i = 0; i < path.length - 1 && !done; i++) {
      const segment = path[i] as Value;
      const existing = node.get(keyOf(segment));
      if (existing === undefined) {
        const next: PathTree = new Map();
        node.set(keyOf(segment), { segment, tree: next });
        node = next;
      } else if (existing.tree === null) {
        done = true;
      } else {
        node = existing.tree;
      }
    }
    if (!done) {
      const last = path[path.length - 1] as Value;
      node.set(keyOf(last), { segment: last, tree: null });
    }
  }
  return root;
}

/** Array positions are named by their decimal strings in path trees, as OPA does. */
function indexKey(i: number): string {
  return `"${i}`;
}

function filterValue(value: Value, tree: PathTree | null): Value {
  if (tree === null) return value;
  switch (value.kind) {
    case 'object': {
      const entries: [Value, Value][] = [];
      for (const [key, [k, v]] of value.entries) {
        const sub = tree.get(key);
        if (sub !== undefined) entries.push([k, filterValue(v, sub.tree)]);
      }
      return obj(entries);
    }
    case 'array': {
      const items: Value[] = [];
      value.items.forEach((item, i) => {
        const sub = tree.get(indexKey(i));
        if (sub !== undefined) items.push(filterValue(item, sub.tree));
      });
      return arr(items);
    }
    case 'set': {
      const items: Value[] = [];
      for (const [key, item] of value.items) {
        const sub = tree.get(key);
        if (sub !== undefined) items.push(filterValue(item, sub.tree));
      }
      return set(items);
    }
    default:
      return value;
  }
}

function removeValue(value: Value, tree: PathTree): Value {
  switch (value.kind) {
    case 'object': {
      const entries: [Value, Value][] = [];
      for (const [key, [k, v]] of value.entries) {
        const sub = tree.get(key);
        if (sub === undefined) entries.push([k, v]);
        else if (sub.tree !== null) entries.push([k, removeValue(v, sub.tree)]);
      }
      return obj(entries);
    }
    case 'array': {
      const items: Value[] = [];
      value.items.forEach((item, i) => {
        const sub = tree.get(indexKey(i));
        if (sub === undefined) items.push(item);
        else if (sub.tree !== null) items.push(removeValue(item, sub.tree));
      });
      return arr(items);
    }
    case 'set': {
      const items: Value[] = [];
      for (const [key, item] of value.items) {
        const sub = tree.get(key);
        if (sub === undefined) items.push(item);
        else if (sub.tree !== null) items.push(removeValue(item, sub.tree));
      }
      return set(items);
    }
    default:
      return value;
  }
}

export const OBJECT_BUILTINS: readonly BuiltinDefinition[] = [
  {
    name: 'object.get',
    arity: 3,
    implementation: (args) => {
      const target = objectArg('object.get', args, 0);
      const key = args[1] as Value;
      const fallback = args[2] as Value;
      if (key.kind === 'array') return find(target, key.items) ?? fallback;
      return child(target, key) ?? fallback;
    },
  },
  {
    name: 'object.keys',
    arity: 1,
    implementation: (args) =>
      set([...objectArg('object.keys', args, 0).entries.values()].map(([k]) => k)),
  },
  {
    name: 'object.remove',
    arity: 2,
    implementation: (args) => {
      const target = objectArg('object.remove', args, 0);
      const keys = keysOf('object.remove', args, 1);
      return {
        kind: 'object',
        entries: new Map([...target.entries].filter(([key]) => !keys.has(key))),
      };
    },
  },
  {
    name: 'object.filter',
    arity: 2,
    implementation: (args) => {
      const target = objectArg('object.filter', args, 0);
      const keys = keysOf('object.filter', args, 1);
      return {
        kind: 'object',
        entries: new Map([...target.entries].filter(([key]) => keys.has(key))),
      };
    },
  },
  {
    name: 'object.union',
    arity: 2,
    implementation: (args) =>
      union(objectArg('object.union', args, 0), objectArg('object.union', args, 1)),
  },
  {
    name: 'object.union_n',
    arity: 1,
    implementation: (args) => {
      const objects = arrayArg('object.union_n', args, 0).items;
      let result: ObjectValue = obj([]);
      for (const o of objects) {
        if (o.kind !== 'object')
          throw operandValueError(
            'object.union_n',
            1,
            `must be array of objects but got ${o.kind} element`,
          );
        result = union(result, o);
      }
      return result;
    },
  },
  {
    name: 'object.subset',
    arity: 2,
    implementation: (args) => {
      const [sup, sub] = args as [Value, Value];
      return bool(isSubset(sup, sub));
    },
  },
  {
    name: 'json.filter',
    arity: 2,
    implementation: (args) => {
      const target = objectArg('json.filter', args, 0);
      return filterValue(target, pathTree('json.filter', args[1] as Value));
    },
  },
  {
    name: 'json.remove',
    arity: 2,
    implementation: (args) => {
      const target = objectArg('json.remove', args, 0);
      return removeValue(target, pathTree('json.remove', args[1] as Value));
    },
  },
];
