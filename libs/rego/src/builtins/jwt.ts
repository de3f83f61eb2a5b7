/**
 * JSON Web Tokens: `io.jwt.decode` (of nested tokens too), HMAC verification
 * (`io.jwt.verify_hs256/384/512`) and `io.jwt.decode_verify` with a shared secret. Signatures
 * with public keys need asynchronous WebCrypto and are refused with an error rather than
 * reported as invalid.
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import type { ObjectValue, Value } from '../value/value.js';
import { arr, bool, EMPTY_OBJECT, FALSE, str, TRUE } from '../value/value-builders.js';
import { keyOf } from '../value/value-key.js';
import type { BuiltinDefinition } from './builtin.js';
import { fromBase64Url, fromUtf8, toHex, utf8 } from './encoding/bytes.js';
import { unmarshalJson } from './encoding/json-text.js';
import { toFloat } from './numbers/number-ops.js';
import { builtinError, objectArg, stringArg } from './operands.js';

interface Token {
  readonly signingInput: string;
  readonly header: ObjectValue;
  /** The decoded payload as text: JSON claims, or another token when the header says `cty: JWT`. */
  readonly payloadText: string;
  readonly signature: Uint8Array;
}

function parseJson(name: string, text: string, what: string): Value {
  try {
    return unmarshalJson(text);
  } catch {
    throw builtinError(name, `JWT ${what} had invalid JSON`);
  }
}

function parseToken(name: string, jwt: string): Token {
  const parts = jwt.split('.');
  if (parts.length !== 3) throw builtinError(name, 'encoded JWT had no period separators');
  const [h = '', p = '', s = ''] = parts;
  const decode = (segment: string, what: string): Uint8Array => {
    const bytes = fromBase64Url(segment);
    if (bytes === undefined) throw builtinError(name, `JWT ${what} had invalid encoding`);
    return bytes;
  };
  const header = parseJson(name, fromUtf8(decode(h, 'header')), 'header');
  if (header.kind !== 'object') throw builtinError(name, 'JWT header must be an object');
  return {
    signingInput: `${h}.${p}`,
    header,
    payloadText: fromUtf8(decode(p, 'payload')),
    signature: decode(s, 'signature'),
  };
}

/** The claims of a token; parsed only here, since a nested token's payload is not JSON. */
function payloadOf(name: string, token: Token): Value {
  return parseJson(name, token.payloadText, 'payload');
}

/** `text` without the quotes (`"` and `'`) around it, as Go's strings.Trim(text, `"'`). */
function trimQuotes(text: string): string {
  const quote = (c: string | undefined) => c === '"' || c === "'";
  let start = 0;
  let end = text.length;
  while (start < end && quote(text[start])) start++;
  while (end > start && quote(text[end - 1])) end--;
  return text.slice(start, end);
}

/**
 * The innermost token of a nested one: a header with `cty: JWT` says the payload is another
 * token (nested signing), which OPA's `io.jwt.decode` decodes in turn, without the quotes
 * jwt.io puts around it.
 */
function innermost(name: string, token: Token): Token {
  const cty = field(token.header, 'cty');
  if (cty?.kind !== 'string' || cty.value !== 'JWT') return token;
  return innermost(name, parseToken(name, trimQuotes(token.payloadText)));
}

function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

const HMACS = { hs256: sha256, hs384: sha384, hs512: sha512 } as const;
/** The HMAC of a token's signing input for its `alg`, or undefined for other algorithms. */
function hmacFor(alg: string, key: Uint8Array, message: Uint8Array): Uint8Array | undefined {
  switch (alg) {
    case 'HS256':
      return hmac(sha256, key, message);
    case 'HS384':
      return hmac(sha384, key, message);
    case 'HS512':
      return hmac(sha512, key, message);
    default:
      return undefined;
  }
}

function field(o: ObjectValue, name: string): Value | undefined {
  return o.entries.get(keyOf(str(name)))?.[1];
}

interface Constraints {
  readonly secret: string;
  readonly alg?: string;
  readonly iss?: string;
  readonly aud?: string;
  readonly timeNs: bigint;
}

function constraintsOf(name: string, o: ObjectValue, nowNs: bigint): Constraints {
  let secret: string | undefined;
  let alg: string | undefined;
  let iss: string | undefined;
  let aud: string | undefined;
  let timeNs = nowNs;
  for (const [k, v] of o.entries.values()) {
    const key = k.kind === 'string' ? k.value : '';
    if (key === 'cert')
      throw builtinError(
        name,
        'verification with a certificate is not supported, only with a secret',
      );
    if (key === 'time') {
      if (v.kind !== 'number') throw builtinError(name, 'time constraint: must be a number');
      timeNs = typeof v.value === 'bigint' ? v.value : BigInt(Math.trunc(v.value));
      continue;
    }
    if (v.kind !== 'string') throw builtinError(name, `${key} constraint: must be a string`);
    if (key === 'secret') secret = v.value;
    else if (key === 'alg') alg = v.value;
    else if (key === 'iss') iss = v.value;
    else if (key === 'aud') aud = v.value;
    else throw builtinError(name, `unknown token validation constraint: ${key}`);
  }
  if (secret === undefined) throw builtinError(name, 'no key constraint: a secret is required');
  return { secret, alg, iss, aud, timeNs };
}

/** Whether the registered claims pass the constraints (exp, nbf, iss, aud), as OPA checks them. */
function claimsValid(payload: ObjectValue, c: Constraints): boolean {
  const seconds = Number(c.timeNs) / 1e9;
  const exp = field(payload, 'exp');
  if (exp !== undefined) {
    if (exp.kind !== 'number')
      throw builtinError('io.jwt.decode_verify', 'exp value must be a number');
    if (seconds >= toFloat(exp.value)) return false;
  }
  const nbf = field(payload, 'nbf');
  if (nbf !== undefined) {
    if (nbf.kind !== 'number')
      throw builtinError('io.jwt.decode_verify', 'nbf value must be a number');
    if (seconds < toFloat(nbf.value)) return false;
  }
  if (c.iss !== undefined) {
    const iss = field(payload, 'iss');
    if (iss?.kind !== 'string' || iss.value !== c.iss) return false;
  }
  const aud = field(payload, 'aud');
  if (aud === undefined) return c.aud === undefined;
  if (c.aud === undefined) return false;
  if (aud.kind === 'string') return aud.value === c.aud;
  if (aud.kind === 'array') return aud.items.some((a) => a.kind === 'string' && a.value === c.aud);
  return false;
}

export const JWT_BUILTINS: readonly BuiltinDefinition[] = [
  {
    name: 'io.jwt.decode',
    arity: 1,
    implementation: (args) => {
      const name = 'io.jwt.decode';
      const token = innermost(name, parseToken(name, stringArg(name, args, 0)));
      return arr([token.header, payloadOf(name, token), str(toHex(token.signature))]);
    },
  },
  {
    name: 'io.jwt.decode_verify',
    arity: 2,
    implementation: (args, context) => {
      const name = 'io.jwt.decode_verify';
      const constraints = constraintsOf(name, objectArg(name, args, 1), context.nowNs);
      const unverified = arr([FALSE, EMPTY_OBJECT, EMPTY_OBJECT]);
      const token = parseToken(name, stringArg(name, args, 0));
      const header = token.header;
      const algValue = field(header, 'alg');
      const alg = algValue?.kind === 'string' ? algValue.value : '';
      if (constraints.alg !== undefined && constraints.alg !== alg) return unverified;
      const expected = hmacFor(alg, utf8(constraints.secret), utf8(token.signingInput));
      if (expected === undefined || !constantTimeEqual(expected, token.signature))
        return unverified;
      const payload = payloadOf(name, token);
      if (payload.kind !== 'object' || !claimsValid(payload, constraints)) return unverified;
      return arr([TRUE, header, payload]);
    },
  },
  ...Object.entries(HMACS).map(
    ([algorithm, hash]): BuiltinDefinition => ({
      name: `io.jwt.verify_${algorithm}`,
      arity: 2,
      implementation: (args) => {
        const name = `io.jwt.verify_${algorithm}`;
        const token = parseToken(name, stringArg(name, args, 0));
        const secret = utf8(stringArg(name, args, 1));
        return bool(
          constantTimeEqual(hmac(hash, secret, utf8(token.signingInput)), token.signature),
        );
      },
    }),
  ),
];
