/** Object builtins: `object.get/keys/remove/filter/union/union_n/subset` and `json.filter/remove`. */

import type { ObjectValue, Value } from '../value/value.js';
import { arr, bool, obj, set } from '../value/value-builders.js';
import { valuesEqual } from '../value/value-compare.js';
import { keyOf } from '../value/value-key.js';
import type { BuiltinDefinition } from './builtin.js';
import { arrayArg, objectArg, operandError, operandValueError } from './operands.js';
import { child, find, pathOf } from './value-paths.js';

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

function isSubset(sup: Value, sub: Value): boolean {
  if (sup.kind === 'object' && sub.kind === 'object') {
    for (const [key, [, value]] of sub.entries) {
      const other = sup.entries.get(key);
      if (other === undefined) return false;
      const [, superValue] = other;
      if (superValue.kind === 'object' && value.kind === 'object') {
        if (!isSubset(superValue, value)) return false;
      } else if (superValue.kind === 'set' && value.kind === 'set') {
        if (!isSubset(superValue, value)) return false;
      } else if (!valuesEqual(superValue, value)) return false;
    }
    return true;
  }
  if (sup.kind === 'set' && sub.kind === 'set') {
    for (const key of sub.items.keys()) if (!sup.items.has(key)) return false;
    return true;
  }
  if (sup.kind === 'array' && sub.kind === 'array') {
    if (sub.items.length === 0) return true;
    for (let i = 0; i + sub.items.length <= sup.items.length; i++) {
      if (sub.items.every((v, j) => valuesEqual(v, sup.items[i + j] as Value))) return true;
    }
    return false;
  }
  if (sup.kind === 'set' && sub.kind === 'array') {
    return sub.items.every((v) => sup.items.has(keyOf(v)));
  }
  return false;
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
      for (const [i, v] of [sup, sub].entries()) {
        if (v.kind !== 'object' && v.kind !== 'set' && v.kind !== 'array') {
          throw operandError('object.subset', i + 1, ['object', 'set', 'array'], v);
        }
      }
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
