/**
 * Canonical keys: two values are equal exactly when their keys are equal.
 * Numbers compare by value across representations (1 and 1.0 are one key).
 */

import { sortInPlace } from './small-sort.js';
import type { ObjectValue, Value } from './value.js';
import { compareValues } from './value-compare.js';

export function keyOf(value: Value): string {
  switch (value.kind) {
    case 'null':
      return 'n';
    case 'boolean':
      return value.value ? 't' : 'f';
    case 'number':
      return `#${numberKey(value.value)}`;
    case 'string':
      return `"${value.value}`;
    case 'array': {
      const items = value.items;
      let out = '[';
      for (let i = 0; i < items.length; i++)
        out += `${i === 0 ? '' : ','}${escapeKey(keyOf(items[i]!))}`;
      return `${out}]`;
    }
    case 'set':
      return `{${sortedKeys([...value.items.values()]).join(',')}}`;
    case 'object':
      return objectKey(value);
  }
}

/**
 * `<k:v,…>` with the entries in key order. String keys (nearly always) are ordered as their
 * canonical keys are, which all start with `"`: the map's own keys sort them, without
 * comparing values (this is most of the cost of adding an object to a set).
 */
function objectKey(value: ObjectValue): string {
  const keys = [...value.entries.keys()];
  let stringKeys = true;
  for (let i = 0; i < keys.length && stringKeys; i++) stringKeys = keys[i]!.charCodeAt(0) === 0x22;
  if (stringKeys) {
    sortInPlace(keys, byCodeUnits);
    let out = '<';
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      const entry = value.entries.get(k)!;
      out += `${i === 0 ? '' : ','}${k.length}${k}:${escapeKey(keyOf(entry[1]))}`;
    }
    return `${out}>`;
  }
  const pairs = [...value.entries.values()].sort((a, b) => compareValues(a[0], b[0]));
  return `<${pairs.map(([k, v]) => `${escapeKey(keyOf(k))}:${escapeKey(keyOf(v))}`).join(',')}>`;
}

function numberKey(value: number | bigint): string {
  if (typeof value === 'bigint') return value.toString();
  if (Object.is(value, -0)) return '0';
  return String(value);
}

function sortedKeys(values: Value[]): string[] {
  return sortInPlace(values, compareValues).map((v) => escapeKey(keyOf(v)));
}

/**
 * A nested string's key is prefixed with its length, so that separators inside the string
 * cannot collide: the digits end at its leading `"`, and no other kind of key starts with a
 * digit. Cheaper than escaping the string's characters (JSON.stringify), which was most of
 * the cost of adding an object to a set.
 */
function escapeKey(key: string): string {
  return key.charCodeAt(0) === 0x22 ? `${key.length}${key}` : key;
}

/** The default order of `Array.prototype.sort` for strings: by UTF-16 code units. */
function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
