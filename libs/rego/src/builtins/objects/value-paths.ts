/**
 * Navigating values by paths, shared by `object.get`, `json.filter`, `json.remove` and
 * `json.patch`: JSON-pointer strings (`/a/0`, `~1` and `~0` escapes) or arrays of keys.
 */

import type { Value } from '../../value/value.js';
import { str } from '../../value/value-builders.js';
import { keyOf } from '../../value/value-key.js';

/** The child of `value` at one path segment, or undefined when there is none. */
export function child(value: Value, segment: Value): Value | undefined {
  switch (value.kind) {
    case 'object':
      return value.entries.get(keyOf(segment))?.[1];
    case 'array': {
      const index = arrayIndex(segment, value.items.length);
      return index === undefined ? undefined : value.items[index];
    }
    case 'set':
      return value.items.get(keyOf(segment));
    default:
      return undefined;
  }
}

/** An array index from a number or a decimal string segment, when it is within bounds. */
export function arrayIndex(segment: Value, length: number): number | undefined {
  let n: number | undefined;
  if (
    segment.kind === 'number' &&
    typeof segment.value === 'number' &&
    Number.isInteger(segment.value)
  ) {
    n = segment.value;
  } else if (segment.kind === 'string' && /^(?:0|[1-9]\d*)$/.test(segment.value)) {
    n = Number(segment.value);
  }
  return n !== undefined && n >= 0 && n < length ? n : undefined;
}

export function find(value: Value, path: readonly Value[]): Value | undefined {
  let current: Value | undefined = value;
  for (const segment of path) {
    if (current === undefined) return undefined;
    current = child(current, segment);
  }
  return current;
}

/** Segments of a JSON pointer such as `/a/b~1c` (leading and trailing slashes ignored). */
export function parsePointer(pointer: string): Value[] {
  const trimmed = pointer.replace(/^\/+|\/+$/g, '');
  if (trimmed === '') return [];
  return trimmed.split('/').map((s) => str(s.replace(/~1/g, '/').replace(/~0/g, '~')));
}

/** A path operand: a pointer string or an array of segments; undefined for other values. */
export function pathOf(value: Value): Value[] | undefined {
  if (value.kind === 'string') return parsePointer(value.value);
  if (value.kind === 'array') return [...value.items];
  return undefined;
}
