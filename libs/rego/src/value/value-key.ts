/**
 * Canonical keys: two values are equal exactly when their keys are equal.
 * Numbers compare by value across representations (1 and 1.0 are one key).
 */

import type { Value } from './value.js';
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
    case 'array':
      return `[${value.items.map((item) => escapeKey(keyOf(item))).join(',')}]`;
    case 'set':
      return `{${sortedKeys([...value.items.values()]).join(',')}}`;
    case 'object': {
      const pairs = [...value.entries.values()].sort((a, b) => compareValues(a[0], b[0]));
      return `<${pairs.map(([k, v]) => `${escapeKey(keyOf(k))}:${escapeKey(keyOf(v))}`).join(',')}>`;
    }
  }
}

function numberKey(value: number | bigint): string {
  if (typeof value === 'bigint') return value.toString();
  if (Object.is(value, -0)) return '0';
  return String(value);
}

function sortedKeys(values: Value[]): string[] {
  return values.sort(compareValues).map((v) => escapeKey(keyOf(v)));
}

/** Nested keys are escaped so that separators inside strings cannot collide. */
function escapeKey(key: string): string {
  return key.startsWith('"') ? JSON.stringify(key) : key;
}
