/** Encoding builtins: base64, base64url, hex, JSON, URL query strings and YAML. */
import { parseAllDocuments, stringify as stringifyYaml } from 'yaml';
import type { Value } from '../value/value.js';
import { arr, bool, NULL, obj, str } from '../value/value-builders.js';
import { fromJs, toJs } from '../value/value-json.js';
import type { BuiltinDefinition } from './builtin.js';
import {
  fromBase64,
  fromBase64Url,
  fromHex,
  fromUtf8,
  toBase64,
  toBase64Url,
  toHex,
  utf8,
} from './encoding/bytes.js';
import { marshalJson, marshalJsonIndent, unmarshalJson } from './encoding/json-text.js';
import { builtinError, objectArg, operandError, operandValueError, stringArg } from './operands.js';

function stringToString(name: string, op: (s: string) => string): BuiltinDefinition {
  return { name, arity: 1, implementation: (args) => str(op(stringArg(name, args, 0))) };
}

function decoder(
  name: string,
  decode: (s: string) => Uint8Array | undefined,
  what: string,
): BuiltinDefinition {
  return stringToString(name, (s) => {
    const bytes = decode(s);
    if (bytes === undefined) throw builtinError(name, `invalid ${what} input`);
    return fromUtf8(bytes);
  });
}

const UNRESERVED = /[A-Za-z0-9\-_.~]/;

/** Go's `url.QueryEscape`. */
export function queryEscape(s: string): string {
  let out = '';
  for (const ch of s) {
    if (UNRESERVED.test(ch)) out += ch;
    else if (ch === ' ') out += '+';
    else for (const b of utf8(ch)) out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Go's `url.QueryUnescape`; undefined for malformed escapes. */
export function queryUnescape(s: string): string | undefined {
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (c === '%') {
      const hex = s.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) return undefined;
      bytes.push(Number.parseInt(hex, 16));
      i += 2;
    } else if (c === '+') {
      bytes.push(0x20);
    } else {
      bytes.push(...utf8(c));
    }
  }
  return fromUtf8(Uint8Array.from(bytes));
}

function encodeQueryObject(value: Value): string {
  if (value.kind !== 'object') throw operandError('urlquery.encode_object', 1, 'object', value);
  const pairs: string[] = [];
  const entries = [...value.entries.values()].sort((a, b) => {
    const ka = a[0].kind === 'string' ? a[0].value : '';
    const kb = b[0].kind === 'string' ? b[0].value : '';
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
  for (const [k, v] of entries) {
    if (k.kind !== 'string')
      throw operandValueError('urlquery.encode_object', 1, 'must be object with string keys');
    const values =
      v.kind === 'string'
        ? [v]
        : v.kind === 'array'
          ? v.items
          : v.kind === 'set'
            ? [...v.items.values()]
            : undefined;
    if (values === undefined)
      throw operandValueError(
        'urlquery.encode_object',
        1,
        'values must be strings, arrays or sets of strings',
      );
    for (const item of values) {
      if (item.kind !== 'string')
        throw operandValueError(
          'urlquery.encode_object',
          1,
          'values must be strings, arrays or sets of strings',
        );
      pairs.push(`${queryEscape(k.value)}=${queryEscape(item.value)}`);
    }
  }
  return pairs.join('&');
}

function decodeQueryObject(s: string): Value {
  const values = new Map<string, string[]>();
  for (const part of s.split(/[&]/)) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const key = queryUnescape(eq < 0 ? part : part.slice(0, eq));
    const value = queryUnescape(eq < 0 ? '' : part.slice(eq + 1));
    if (key === undefined || value === undefined)
      throw builtinError('urlquery.decode_object', `invalid URL escape in ${JSON.stringify(part)}`);
    values.set(key, [...(values.get(key) ?? []), value]);
  }
  return obj([...values].map(([k, vs]) => [str(k), arr(vs.map(str))] as const));
}

/** YAML as Go's yaml → JSON conversion sees it: YAML 1.1 scalars, keys as strings. */
function yamlToValue(input: unknown): Value {
  if (input instanceof Map) {
    return obj([...input].map(([k, v]) => [str(String(k)), yamlToValue(v)] as const));
  }
  if (Array.isArray(input)) return arr(input.map(yamlToValue));
  if (input !== null && typeof input === 'object') {
    return obj(Object.entries(input).map(([k, v]) => [str(k), yamlToValue(v)] as const));
  }
  if (typeof input === 'number' && !Number.isFinite(input))
    throw new Error(`unsupported YAML number ${input}`);
  return fromJs(input);
}

/**
 * The first YAML document, as Go's yaml.v2 `Unmarshal` (OPA's) reads it: what follows the
 * first document's end (`---`, `...`) is never parsed, so neither its values nor its errors
 * count.
 */
function parseYamlValue(text: string): Value {
  const docs = parseAllDocuments(text, { version: '1.1', intAsBigInt: true, uniqueKeys: true });
  const first = Array.isArray(docs) ? docs[0] : undefined;
  if (first === undefined) return NULL;
  const [error] = first.errors;
  if (error !== undefined) throw error;
  return yamlToValue(first.toJS({ mapAsMap: false }));
}

function marshalOptions(value: Value): { prefix: string; indent: string; pretty: boolean } {
  if (value.kind !== 'object') throw operandError('json.marshal_with_options', 2, 'object', value);
  let prefix = '';
  let indent = '\t';
  let pretty: boolean | undefined;
  let explicit = false;
  for (const [k, v] of value.entries.values()) {
    const key = k.kind === 'string' ? k.value : '';
    if (key === 'prefix' && v.kind === 'string') {
      prefix = v.value;
      explicit = true;
    } else if (key === 'indent' && v.kind === 'string') {
      indent = v.value;
      explicit = true;
    } else if (key === 'pretty' && v.kind === 'boolean') pretty = v.value;
    else
      throw operandValueError(
        'json.marshal_with_options',
        2,
        `object contained unknown key ${key}`,
      );
  }
  return { prefix, indent, pretty: pretty ?? explicit };
}

export const ENCODING_BUILTINS: readonly BuiltinDefinition[] = [
  stringToString('base64.encode', (s) => toBase64(utf8(s))),
  decoder('base64.decode', fromBase64, 'base64'),
  {
    name: 'base64.is_valid',
    arity: 1,
    implementation: (args) => bool(fromBase64(stringArg('base64.is_valid', args, 0)) !== undefined),
  },
  stringToString('base64url.encode', (s) => toBase64Url(utf8(s), true)),
  stringToString('base64url.encode_no_pad', (s) => toBase64Url(utf8(s), false)),
  decoder('base64url.decode', fromBase64Url, 'base64url'),
  stringToString('hex.encode', (s) => toHex(utf8(s))),
  decoder('hex.decode', fromHex, 'hex'),
  { name: 'json.marshal', arity: 1, implementation: (args) => str(marshalJson(args[0] as Value)) },
  {
    name: 'json.marshal_with_options',
    arity: 2,
    implementation: (args) => {
      const options = marshalOptions(objectArg('json.marshal_with_options', args, 1));
      const value = args[0] as Value;
      if (!options.pretty) return str(marshalJson(value));
      return str(marshalJsonIndent(value, options.prefix, options.indent));
    },
  },
  {
    name: 'json.unmarshal',
    arity: 1,
    implementation: (args) => {
      const text = stringArg('json.unmarshal', args, 0);
      try {
        return unmarshalJson(text);
      } catch (error) {
        throw builtinError(
          'json.unmarshal',
          error instanceof Error ? error.message : String(error),
        );
      }
    },
  },
  {
    name: 'json.is_valid',
    arity: 1,
    implementation: (args) => {
      const value = args[0] as Value;
      if (value.kind !== 'string') return bool(false);
      try {
        unmarshalJson(value.value);
        return bool(true);
      } catch {
        return bool(false);
      }
    },
  },
  stringToString('urlquery.encode', queryEscape),
  stringToString('urlquery.decode', (s) => {
    const decoded = queryUnescape(s);
    if (decoded === undefined)
      throw builtinError('urlquery.decode', `invalid URL escape in ${JSON.stringify(s)}`);
    return decoded;
  }),
  {
    name: 'urlquery.encode_object',
    arity: 1,
    implementation: (args) => str(encodeQueryObject(args[0] as Value)),
  },
  {
    name: 'urlquery.decode_object',
    arity: 1,
    implementation: (args) => decodeQueryObject(stringArg('urlquery.decode_object', args, 0)),
  },
  {
    name: 'yaml.marshal',
    arity: 1,
    implementation: (args) =>
      str(stringifyYaml(toJs(args[0] as Value), { indentSeq: false, version: '1.1' })),
  },
  {
    name: 'yaml.unmarshal',
    arity: 1,
    implementation: (args) => {
      const text = stringArg('yaml.unmarshal', args, 0);
      try {
        return parseYamlValue(text);
      } catch (error) {
        throw builtinError(
          'yaml.unmarshal',
          error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error),
        );
      }
    },
  },
  {
    name: 'yaml.is_valid',
    arity: 1,
    implementation: (args) => {
      const value = args[0] as Value;
      if (value.kind !== 'string') return bool(false);
      try {
        parseYamlValue(value.value);
        return bool(true);
      } catch {
        return bool(false);
      }
    },
  },
];
