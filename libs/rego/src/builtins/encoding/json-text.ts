/**
 * JSON text as OPA's `json.marshal` writes it (Go's encoding/json: sorted keys, `<`, `>`,
 * `&`, U+2028 and U+2029 escaped) and JSON text parsed into values with exact integers.
 */

import type { Value } from '../../value/value.js';
import { fromJs, parseJson, stringifyJson, toJs } from '../../value/value-json.js';

const HTML_UNSAFE = /[<>&\u2028\u2029]/g;

function escapeHtml(text: string): string {
  return text.replace(HTML_UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Compact JSON text of a value; sets become arrays, non-string keys their JSON text. */
export function marshalJson(value: Value): string {
  return escapeHtml(stringifyJson(toJs(value)));
}

/** Indented JSON text, every line starting with `prefix`, as OPA writes it (Go's MarshalIndent plus the first line's prefix). */
export function marshalJsonIndent(value: Value, prefix: string, indent: string): string {
  const compact = marshalJson(value);
  const parsed = parseJson(compact);
  const lines = indentJson(parsed, indent).split('\n');
  return lines.map((line) => prefix + line).join('\n');
}

function indentJson(input: unknown, indent: string, depth = 0): string {
  const pad = indent.repeat(depth + 1);
  const close = indent.repeat(depth);
  if (Array.isArray(input)) {
    if (input.length === 0) return '[]';
    return `[\n${input.map((v) => pad + indentJson(v, indent, depth + 1)).join(',\n')}\n${close}]`;
  }
  if (input !== null && typeof input === 'object') {
    const entries = Object.entries(input as Record<string, unknown>);
    if (entries.length === 0) return '{}';
    const body = entries.map(
      ([k, v]) => `${pad}${escapeHtml(JSON.stringify(k))}: ${indentJson(v, indent, depth + 1)}`,
    );
    return `{\n${body.join(',\n')}\n${close}}`;
  }
  return escapeHtml(stringifyJson(input));
}

/** Parses JSON text into a value; throws on invalid text. */
export function unmarshalJson(text: string): Value {
  return fromJs(parseJson(text));
}
