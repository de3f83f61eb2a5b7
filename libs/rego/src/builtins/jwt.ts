/**
 * JSON Web Tokens: `io.jwt.decode` and HMAC verification (`io.jwt.verify_hs256/384/512`).
 * Signatures with public keys need asynchronous WebCrypto and are not offered.
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import type { Value } from '../value/value.js';
import { arr, bool, str } from '../value/value-builders.js';
import type { BuiltinDefinition } from './builtin.js';
import { fromBase64Url, fromUtf8, toHex, utf8 } from './bytes.js';
import { unmarshalJson } from './json-text.js';
import { builtinError, stringArg } from './operands.js';

interface Token {
  readonly signingInput: string;
  readonly header: Value;
  readonly payload: Value;
  readonly signature: Uint8Array;
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
  const json = (segment: string, what: string): Value => {
    try {
      return unmarshalJson(fromUtf8(decode(segment, what)));
    } catch (error) {
      if (error instanceof Error && error.message.startsWith(name)) throw error;
      throw builtinError(name, `JWT ${what} had invalid JSON`);
    }
  };
  const header = json(h, 'header');
  if (header.kind !== 'object') throw builtinError(name, 'JWT header must be an object');
  return {
    signingInput: `${h}.${p}`,
    header,
    payload: json(p, 'payload'),
    signature: decode(s, 'signature'),
  };
}

function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

const HMACS = { hs256: sha256, hs384: sha384, hs512: sha512 } as const;

export const JWT_BUILTINS: readonly BuiltinDefinition[] = [
  {
    name: 'io.jwt.decode',
    arity: 1,
    implementation: (args) => {
      const token = parseToken('io.jwt.decode', stringArg('io.jwt.decode', args, 0));
      return arr([token.header, token.payload, str(toHex(token.signature))]);
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
