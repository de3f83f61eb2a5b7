/**
 * YAML case data to Rego values with exact numbers (`1e30` and 19-digit integers stay exact,
 * as OPA reads JSON numbers), plus the Regorus encodings of expected values:
 * `{set!: [...]}`, `{object!: [{key, value}]}` and `"#undefined"`.
 */
import { isAlias, isMap, isScalar, isSeq, type Node, parseDocument } from 'yaml';
import type { Value } from '../../src/value/index.js';
import { arr, bool, NULL, num, obj, set, str } from '../../src/value/index.js';

/** A YAML value as plain data: scalars keep their exact number text. */
export type YamlData =
  | null
  | boolean
  | string
  | { readonly number: string; readonly value: number }
  | readonly YamlData[]
  | { readonly entries: ReadonlyArray<readonly [YamlData, YamlData]> };

export function isYamlMap(
  d: YamlData,
): d is { readonly entries: ReadonlyArray<readonly [YamlData, YamlData]> } {
  return d !== null && typeof d === 'object' && 'entries' in d;
}

export function isYamlNumber(
  d: YamlData,
): d is { readonly number: string; readonly value: number } {
  return d !== null && typeof d === 'object' && 'number' in d;
}

/** Parses a YAML document into `YamlData`, keeping the source text of numbers. */
export function parseYamlData(text: string): YamlData {
  let doc = parseDocument(text, { uniqueKeys: false });
  if (doc.errors.length > 0) {
    // libyaml (which wrote the Regorus corpus) accepts flow collections indented no deeper than
    // their key; the spec does not. Indentation inside flow collections carries no meaning, so
    // re-indenting those lines and parsing again reads what the author meant.
    const repaired = parseDocument(indentFlowCollections(text), { uniqueKeys: false });
    if (repaired.errors.length > 0) throw new Error(doc.errors[0]?.message ?? 'invalid YAML');
    doc = repaired;
  }
  return fromNode(doc.contents as Node | null, doc);
}

/** Indents the continuation lines of a flow collection opened at the end of a `key: [` line. */
export function indentFlowCollections(text: string): string {
  const lines = text.split('\n');
  let depth = 0;
  let minIndent = 0;
  return lines
    .map((line) => {
      let out = line;
      if (depth > 0) {
        const indent = /^ */.exec(line)?.[0].length ?? 0;
        if (line.trim() !== '' && indent < minIndent) out = ' '.repeat(minIndent - indent) + line;
      } else {
        const opening = /^( *)(?:- )?[^#'"]*:\s*[[{]\s*$/.exec(line);
        if (opening) minIndent = (opening[1] as string).length + 2;
      }
      for (const ch of line.replace(/"(?:[^"\\]|\\.)*"|'[^']*'/g, '')) {
        if (ch === '[' || ch === '{') depth++;
        else if (ch === ']' || ch === '}') depth = Math.max(0, depth - 1);
      }
      return out;
    })
    .join('\n');
}

function fromNode(node: Node | null, doc: ReturnType<typeof parseDocument>): YamlData {
  if (node === null) return null;
  if (isAlias(node)) return fromNode(node.resolve(doc) as Node, doc);
  if (isMap(node)) {
    return {
      entries: node.items.map(
        (pair) =>
          [
            fromNode(pair.key as Node | null, doc),
            fromNode(pair.value as Node | null, doc),
          ] as const,
      ),
    };
  }
  if (isSeq(node)) return node.items.map((item) => fromNode(item as Node | null, doc));
  if (isScalar(node)) {
    const value = node.value;
    if (value === null || value === undefined) return null;
    if (typeof value === 'boolean' || typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'bigint') {
      const source =
        typeof node.source === 'string' && node.type === 'PLAIN' ? node.source : String(value);
      return { number: source, value: Number(value) };
    }
    return String(value);
  }
  throw new Error('unsupported YAML node');
}

/** A number from its source text: integers (also `1e30`, `-2.0e3`) exact, other values as doubles. */
export function exactNumber(text: string, fallback: number): Value {
  const m = /^([+-]?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(text.replace(/_/g, ''));
  if (m === null) return num(fallback);
  const [, sign = '', whole = '', fraction = '', exponent = '0'] = m;
  const exp = Number(exponent) - fraction.length;
  const digits = BigInt(whole + fraction);
  if (exp >= 0 && exp < 400) {
    const n = digits * 10n ** BigInt(exp);
    return num(sign === '-' ? -n : n);
  }
  if (exp < 0) {
    const divisor = 10n ** BigInt(-exp);
    if (digits % divisor === 0n) {
      const n = digits / divisor;
      return num(sign === '-' ? -n : n);
    }
  }
  return num(fallback);
}

/** Plain data (case `data`, `input`): maps are objects with string keys. */
export function toValue(d: YamlData): Value {
  if (d === null) return NULL;
  if (typeof d === 'boolean') return bool(d);
  if (typeof d === 'string') return str(d);
  if (isYamlNumber(d)) return exactNumber(d.number, d.value);
  if (Array.isArray(d)) return arr(d.map(toValue));
  if (isYamlMap(d)) return obj(d.entries.map(([k, v]) => [str(keyText(k)), toValue(v)] as const));
  throw new Error('unsupported YAML data');
}

function keyText(k: YamlData): string {
  if (typeof k === 'string') return k;
  if (k === null) return 'null';
  if (typeof k === 'boolean') return String(k);
  if (isYamlNumber(k)) return k.number;
  throw new Error('composite YAML keys are not supported in data');
}

/** The one-entry map `{name: value}`, if `d` is one. */
export function marker(d: YamlData, name: string): YamlData | undefined {
  if (!isYamlMap(d) || d.entries.length !== 1) return undefined;
  const [k, v] = d.entries[0] as readonly [YamlData, YamlData];
  return k === name ? v : undefined;
}

/** Marks an expected value that must be undefined. */
export const UNDEFINED = Symbol('undefined');
export type Expected = Value | typeof UNDEFINED;

/** Decodes a Regorus expected value (`set!`, `object!`, `#undefined`), recursively. */
export function decodeExpected(d: YamlData): Expected {
  if (d === '#undefined') return UNDEFINED;
  return decodeValue(d);
}

function decodeValue(d: YamlData): Value {
  const setItems = marker(d, 'set!');
  if (Array.isArray(setItems)) return set(setItems.map(decodeValue));
  const objectItems = marker(d, 'object!');
  if (Array.isArray(objectItems)) {
    return obj(
      objectItems.map((entry) => {
        const fields = isYamlMap(entry)
          ? new Map(entry.entries.map(([k, v]) => [k, v]))
          : undefined;
        if (fields === undefined || !fields.has('key'))
          throw new Error('object! entries need key and value');
        return [
          decodeValue(fields.get('key') ?? null),
          decodeValue(fields.get('value') ?? null),
        ] as const;
      }),
    );
  }
  if (Array.isArray(d)) return arr(d.map(decodeValue));
  if (isYamlMap(d)) {
    return obj(
      d.entries.map(
        ([k, v]) => [typeof k === 'string' ? str(k) : decodeValue(k), decodeValue(v)] as const,
      ),
    );
  }
  return toValue(d);
}
