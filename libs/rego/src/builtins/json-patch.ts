/**
 * `json.patch`: RFC 6902 operations on any value, with OPA's extensions (array-form paths,
 * set members addressed by value). A patch that cannot apply makes the call undefined.
 */

import type { ObjectValue, Value } from '../value/value.js';
import { arr, set, str } from '../value/value-builders.js';
import { valuesEqual } from '../value/value-compare.js';
import { keyOf } from '../value/value-key.js';
import type { BuiltinDefinition } from './builtin.js';
import { arrayArg } from './operands.js';

class PatchFailure extends Error {}

function fail(): never {
  throw new PatchFailure();
}

function parsePatchPointer(pointer: string): Value[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) fail();
  return pointer
    .slice(1)
    .split('/')
    .map((s) => str(s.replace(/~1/g, '/').replace(/~0/g, '~')));
}

function patchPath(op: ObjectValue, field: string): Value[] {
  const value = op.entries.get(keyOf(str(field)))?.[1];
  if (value === undefined) return fail();
  if (value.kind === 'string') return parsePatchPointer(value.value);
  if (value.kind === 'array') return [...value.items];
  return fail();
}

/** Index into an array of `length`; `end` allows `-` and `length` (insertion points). */
function index(segment: Value, length: number, end: boolean): number {
  let n: number | undefined;
  if (segment.kind === 'string') {
    if (segment.value === '-' && end) return length;
    if (/^(?:0|[1-9]\d*)$/.test(segment.value)) n = Number(segment.value);
  } else if (
    segment.kind === 'number' &&
    segment.float !== true &&
    typeof segment.value === 'number' &&
    Number.isInteger(segment.value)
  ) {
    // A literal written 1.0 is refused, as OPA reads the index with ast.Number.Int().
    n = segment.value;
  }
  if (n === undefined || n < 0 || n > (end ? length : length - 1)) return fail();
  return n;
}

function get(doc: Value, path: readonly Value[]): Value {
  let current = doc;
  for (const segment of path) {
    switch (current.kind) {
      case 'object':
        current = current.entries.get(keyOf(segment))?.[1] ?? fail();
        break;
      case 'array':
        current = current.items[index(segment, current.items.length, false)] as Value;
        break;
      case 'set':
        current = current.items.get(keyOf(segment)) ?? fail();
        break;
      default:
        return fail();
    }
  }
  return current;
}

function replaceChild(parent: Value, segment: Value, updated: Value): Value {
  switch (parent.kind) {
    case 'object': {
      const entries = new Map(parent.entries);
      entries.set(keyOf(segment), [segment, updated]);
      return { kind: 'object', entries };
    }
    case 'array': {
      const items = [...parent.items];
      items[index(segment, items.length, false)] = updated;
      return arr(items);
    }
    case 'set': {
      const items = new Map(parent.items);
      items.delete(keyOf(segment));
      return set([...items.values(), updated]);
    }
    default:
      return fail();
  }
}

/** Applies `leaf` to the parent of the path's last segment and rebuilds the ancestors. */
function modify(
  doc: Value,
  path: readonly Value[],
  leaf: (parent: Value, segment: Value) => Value,
): Value {
  const [segment, ...rest] = path as [Value, ...Value[]];
  if (rest.length === 0) return leaf(doc, segment);
  return replaceChild(doc, segment, modify(get(doc, [segment]), rest, leaf));
}

function add(doc: Value | undefined, path: readonly Value[], value: Value): Value {
  if (path.length === 0) return value;
  if (doc === undefined) return fail();
  return modify(doc, path, (parent, segment) => {
    switch (parent.kind) {
      case 'object': {
        const entries = new Map(parent.entries);
        entries.set(keyOf(segment), [segment, value]);
        return { kind: 'object', entries };
      }
      case 'array': {
        const items = [...parent.items];
        items.splice(index(segment, items.length, true), 0, value);
        return arr(items);
      }
      case 'set':
        if (!valuesEqual(segment, value)) return fail();
        return set([...parent.items.values(), value]);
      default:
        return fail();
    }
  });
}

function remove(doc: Value | undefined, path: readonly Value[]): Value | undefined {
  if (doc === undefined) return fail();
  if (path.length === 0) return undefined;
  return modify(doc, path, (parent, segment) => {
    switch (parent.kind) {
      case 'object': {
        if (!parent.entries.has(keyOf(segment))) return fail();
        const entries = new Map(parent.entries);
        entries.delete(keyOf(segment));
        return { kind: 'object', entries };
      }
      case 'array': {
        const items = [...parent.items];
        items.splice(index(segment, items.length, false), 1);
        return arr(items);
      }
      case 'set': {
        if (!parent.items.has(keyOf(segment))) return fail();
        const items = new Map(parent.items);
        items.delete(keyOf(segment));
        return { kind: 'set', items };
      }
      default:
        return fail();
    }
  });
}

function isProperPrefix(prefix: readonly Value[], path: readonly Value[]): boolean {
  return prefix.length < path.length && prefix.every((s, i) => valuesEqual(s, path[i] as Value));
}

function applyOne(doc: Value | undefined, op: Value): Value | undefined {
  if (op.kind !== 'object') return fail();
  const name = op.entries.get(keyOf(str('op')))?.[1];
  if (name?.kind !== 'string') return fail();
  const path = patchPath(op, 'path');
  const operand = op.entries.get(keyOf(str('value')))?.[1];
  switch (name.value) {
    case 'add':
      return add(doc, path, operand ?? fail());
    case 'remove':
      return remove(doc, path);
    case 'replace': {
      const value = operand ?? fail();
      // OPA replaces by removing then adding, so a set member can only be "replaced" by itself.
      return add(remove(doc, path), path, value);
    }
    case 'move': {
      const from = patchPath(op, 'from');
      if (isProperPrefix(from, path)) return fail();
      if (doc === undefined) return fail();
      const value = get(doc, from);
      return add(remove(doc, from), path, value);
    }
    case 'copy': {
      const from = patchPath(op, 'from');
      if (doc === undefined) return fail();
      return add(doc, path, get(doc, from));
    }
    case 'test': {
      if (doc === undefined) return fail();
      if (!valuesEqual(get(doc, path), operand ?? fail())) return fail();
      return doc;
    }
    default:
      return fail();
  }
}

export const JSON_PATCH_BUILTINS: readonly BuiltinDefinition[] = [
  {
    name: 'json.patch',
    arity: 2,
    implementation: (args) => {
      const target = args[0] as Value;
      const operations = arrayArg('json.patch', args, 1).items;
      try {
        let doc: Value | undefined = target;
        for (const op of operations) doc = applyOne(doc, op);
        return doc;
      } catch (error) {
        if (error instanceof PatchFailure) return undefined;
        throw error;
      }
    },
  },
];
