/**
 * A JWS in compact serialisation (`header.payload.signature`), taken apart as OPA takes it:
 * the three segments first, then each decoded only when a builtin needs it, so that the
 * errors come in OPA's order.
 */
import type { ObjectValue, Value } from '../../value/value.js';
import { str } from '../../value/value-builders.js';
import { keyOf } from '../../value/value-key.js';
import { fromBase64Url, fromUtf8 } from '../encoding/bytes.js';
import { unmarshalJson } from '../encoding/json-text.js';
import { builtinError } from '../operands.js';

export interface CompactToken {
  /** The encoded segments, as written in the token. */
  readonly header: string;
  readonly payload: string;
  readonly signature: string;
}

/** The header members OPA interprets (RFC 7515 §4.1); others are listed in `unknown`. */
export interface TokenHeader {
  readonly alg: string;
  readonly kid: string;
  readonly cty: string;
  readonly crit: ReadonlySet<string>;
  readonly unknown: readonly string[];
}

export function splitToken(name: string, jwt: string): CompactToken {
  if (!jwt.includes('.')) throw builtinError(name, 'encoded JWT had no period separators');
  const parts = jwt.split('.');
  if (parts.length !== 3)
    throw builtinError(name, `encoded JWT must have 3 sections, found ${parts.length}`);
  const [header = '', payload = '', signature = ''] = parts;
  return { header, payload, signature };
}

export function decodeSegment(name: string, segment: string, what: string): Uint8Array {
  const bytes = fromBase64Url(segment);
  if (bytes === undefined) throw builtinError(name, `JWT ${what} had invalid encoding`);
  return bytes;
}

/** JSON text that must hold an object (a header or the claims). */
export function jsonObject(name: string, text: string, what: string): ObjectValue {
  let value: Value;
  try {
    value = unmarshalJson(text);
  } catch {
    throw builtinError(name, `JWT ${what} had invalid JSON`);
  }
  if (value.kind !== 'object') throw builtinError(name, `JWT ${what} must be an object`);
  return value;
}

/** The decoded header object; a JWE (with `enc`) is refused, as OPA refuses it. */
export function decodeHeader(name: string, token: CompactToken): ObjectValue {
  const text = fromUtf8(decodeSegment(name, token.header, 'header'));
  const header = jsonObject(name, text, 'header');
  if (member(header, 'enc') !== undefined)
    throw builtinError(name, 'JWT is a JWE object, which is not supported');
  return header;
}

export function decodeSignature(name: string, token: CompactToken): Uint8Array {
  return decodeSegment(name, token.signature, 'signature');
}

export function member(o: ObjectValue, name: string): Value | undefined {
  return o.entries.get(keyOf(str(name)))?.[1];
}

/** The members OPA checks, with its errors for members of the wrong type. */
export function headerFields(name: string, header: ObjectValue): TokenHeader {
  const text = (field: string): string => {
    const value = member(header, field);
    if (value === undefined) return '';
    if (value.kind !== 'string') throw builtinError(name, `${field}: must be a string`);
    return value.value;
  };
  const crit = new Set<string>();
  const critValue = member(header, 'crit');
  if (critValue !== undefined) {
    if (critValue.kind !== 'array') throw builtinError(name, 'crit: must be a list');
    for (const item of critValue.items) {
      if (item.kind === 'string') crit.add(item.value);
    }
    if (crit.size === 0) throw builtinError(name, 'crit: must be a nonempty list');
  }
  const known = new Set(['alg', 'kid', 'typ', 'cty', 'crit']);
  const unknown: string[] = [];
  for (const [k] of header.entries.values()) {
    if (k.kind === 'string' && !known.has(k.value)) unknown.push(k.value);
  }
  text('typ');
  return { alg: text('alg'), kid: text('kid'), cty: text('cty'), crit, unknown };
}

/** RFC 7515: `alg` must be present, and every critical member must be one this reader knows. */
export function headerValid(header: TokenHeader): boolean {
  return header.alg !== '' && !header.unknown.some((u) => header.crit.has(u));
}

/** `text` without the quotes (`"` and `'`) around it, as Go's strings.Trim(text, `"'`). */
export function trimQuotes(text: string): string {
  const quote = (c: string | undefined) => c === '"' || c === "'";
  let start = 0;
  let end = text.length;
  while (start < end && quote(text[start])) start++;
  while (end > start && quote(text[end - 1])) end--;
  return text.slice(start, end);
}
