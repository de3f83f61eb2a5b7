/**
 * JSON Web Tokens: `io.jwt.decode` (of nested tokens too), signature checks with a secret
 * (`verify_hs*`) or a public key, certificate or JWK set (`verify_rs*`, `verify_ps*`,
 * `verify_es*`, `verify_eddsa`), `io.jwt.decode_verify` with a `secret` or `cert`
 * constraint, and signing (`encode_sign`, `encode_sign_raw`) with a JWK. Signatures are
 * Node's crypto (`jwt/jws-algorithms.ts`); keys come from `jwt/verification-keys.ts` and
 * `jwt/jwk-keys.ts`.
 */
import { createSecretKey } from 'node:crypto';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import type { ObjectValue, Value } from '../value/value.js';
import { arr, bool, EMPTY_OBJECT, FALSE, str, TRUE } from '../value/value-builders.js';
import type { BuiltinDefinition } from './builtin.js';
import { fromUtf8, toBase64Url, toHex, utf8 } from './encoding/bytes.js';
import { marshalJson } from './encoding/json-text.js';
import {
  type CompactToken,
  decodeHeader,
  decodeSegment,
  decodeSignature,
  headerFields,
  headerValid,
  jsonObject,
  member,
  splitToken,
  trimQuotes,
} from './jwt/compact-token.js';
import { JwkError, parseJwks } from './jwt/jwk-keys.js';
import { isJwsAlgorithm, type JwsAlgorithm, jwsSign, jwsVerify } from './jwt/jws-algorithms.js';
import { claimsValid, parseConstraints, type TokenConstraints } from './jwt/token-constraints.js';
import {
  cachedVerificationKeys,
  KeyTextError,
  type VerificationKey,
} from './jwt/verification-keys.js';
import { builtinError, objectArg, stringArg } from './operands.js';

/** The innermost token of a nested one (`cty: JWT`), whose payload `io.jwt.decode` returns. */
function decodeInnermost(name: string, jwt: string): Value {
  const token = splitToken(name, jwt);
  const header = decodeHeader(name, token);
  const payloadText = fromUtf8(decodeSegment(name, token.payload, 'payload'));
  const cty = member(header, 'cty');
  // jwt.io quotes a nested token; OPA removes the quotes before decoding it.
  if (cty?.kind === 'string' && cty.value === 'JWT')
    return decodeInnermost(name, trimQuotes(payloadText));
  const payload = jsonObject(name, payloadText, 'payload');
  return arr([header, payload, str(toHex(decodeSignature(name, token)))]);
}

function signingInput(token: CompactToken): Uint8Array {
  return utf8(`${token.header}.${token.payload}`);
}

function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

/**
 * Whether one of `keys` verifies the token with `alg`, as OPA chooses: the key whose `kid`
 * the header names when there is one, else every key whose `alg` (if any) is the header's.
 */
function verifiedByKeys(
  alg: JwsAlgorithm,
  keys: readonly VerificationKey[],
  header: { alg: string; kid: string },
  input: Uint8Array,
  signature: Uint8Array,
): boolean {
  if (header.kid !== '') {
    const named = keys.find((key) => key.kid === header.kid);
    if (named !== undefined) return jwsVerify(alg, named.key, input, signature);
  }
  return keys.some(
    (key) =>
      (key.alg === undefined || key.alg === header.alg) &&
      jwsVerify(alg, key.key, input, signature),
  );
}

function keysOf(
  name: string,
  text: string,
  cache: Map<string, unknown>,
): readonly VerificationKey[] {
  try {
    return cachedVerificationKeys(text, cache);
  } catch (error) {
    if (error instanceof KeyTextError) throw builtinError(name, error.message);
    throw error;
  }
}

/** `io.jwt.verify_<alg>` with a public key, certificate or JWK set: the builtin fixes the algorithm. */
function publicKeyVerifier(alg: JwsAlgorithm): BuiltinDefinition {
  const name = `io.jwt.verify_${alg.toLowerCase()}`;
  return {
    name,
    arity: 2,
    implementation: (args, context) => {
      const token = splitToken(name, stringArg(name, args, 0));
      const keys = keysOf(name, stringArg(name, args, 1), context.cache);
      const signature = decodeSignature(name, token);
      const header = headerFields(name, decodeHeader(name, token));
      return bool(verifiedByKeys(alg, keys, header, signingInput(token), signature));
    },
  };
}

const HMACS = { hs256: sha256, hs384: sha384, hs512: sha512 } as const;

function secretVerifier(algorithm: keyof typeof HMACS): BuiltinDefinition {
  const name = `io.jwt.verify_${algorithm}`;
  return {
    name,
    arity: 2,
    implementation: (args) => {
      const jwt = stringArg(name, args, 0);
      const secret = utf8(stringArg(name, args, 1));
      const token = splitToken(name, jwt);
      const expected = hmac(HMACS[algorithm], secret, signingInput(token));
      return bool(constantTimeEqual(expected, decodeSignature(name, token)));
    },
  };
}

/** Whether the token's signature holds under the constraints' keys or secret, for the header's `alg`. */
function signatureVerified(
  c: TokenConstraints,
  header: { alg: string; kid: string },
  token: CompactToken,
  signature: Uint8Array,
): boolean {
  if (!isJwsAlgorithm(header.alg)) return false;
  const input = signingInput(token);
  if (c.keys !== undefined) return verifiedByKeys(header.alg, c.keys, header, input, signature);
  return jwsVerify(header.alg, createSecretKey(utf8(c.secret)), input, signature);
}

const UNVERIFIED = arr([FALSE, EMPTY_OBJECT, EMPTY_OBJECT]);

function decodeVerify(name: string, jwt: string, constraints: TokenConstraints): Value {
  let text = jwt;
  for (;;) {
    const token = splitToken(name, text);
    const header = decodeHeader(name, token);
    const fields = headerFields(name, header);
    if (!headerValid(fields)) return UNVERIFIED;
    if (constraints.alg !== '' && constraints.alg !== fields.alg) return UNVERIFIED;
    const signature = decodeSignature(name, token);
    if (!signatureVerified(constraints, fields, token, signature)) return UNVERIFIED;
    const payloadText = fromUtf8(decodeSegment(name, token.payload, 'payload'));
    // A nested token (RFC 7519 §5.2): verify the inner one with the same constraints.
    if (fields.cty.toUpperCase() === 'JWT') {
      text = payloadText;
      continue;
    }
    const claims = jsonObject(name, payloadText, 'payload');
    return claimsValid(name, claims, constraints) ? arr([TRUE, header, claims]) : UNVERIFIED;
  }
}

/**
 * What a header to sign says: its `alg` (OPA's errors for a header without a known one), and
 * whether the payload must be JSON (a `typ` that is absent or `JWT`).
 */
function signingHeader(
  name: string,
  headerText: string,
): { alg: JwsAlgorithm; jsonPayload: boolean } {
  let header: unknown;
  try {
    header = JSON.parse(headerText);
  } catch (error) {
    throw builtinError(
      name,
      `missing or invalid 'alg' header: cannot parse JSON: ${(error as Error).message}`,
    );
  }
  const { alg, typ } = (header ?? {}) as { alg?: unknown; typ?: unknown };
  if (typeof alg !== 'string')
    throw builtinError(
      name,
      `missing or invalid 'alg' header: unsupported signature algorithm (no "alg" member)`,
    );
  if (!isJwsAlgorithm(alg)) throw builtinError(name, `unknown JWS algorithm: ${alg}`);
  return { alg, jsonPayload: typeof typ !== 'string' || typ === 'JWT' };
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** A compact JWS of the header and payload texts as given, signed with the first key of the JWK (set). */
function encodeSign(name: string, headerText: string, payloadText: string, jwkText: string): Value {
  let keys: ReturnType<typeof parseJwks>;
  try {
    keys = parseJwks(jwkText);
  } catch (error) {
    if (error instanceof JwkError) throw builtinError(name, error.message);
    throw error;
  }
  const key = keys[0];
  if (key === undefined) throw builtinError(name, 'no keys found in JWK set');
  const { alg, jsonPayload } = signingHeader(name, headerText);
  if (jsonPayload && !isJson(payloadText))
    throw builtinError(name, 'type is JWT but payload is not JSON');
  const input = `${toBase64Url(utf8(headerText), false)}.${toBase64Url(utf8(payloadText), false)}`;
  let signature: Uint8Array;
  try {
    signature = jwsSign(alg, key.key, utf8(input));
  } catch (error) {
    throw builtinError(name, (error as Error).message);
  }
  return str(`${input}.${toBase64Url(signature, false)}`);
}

export const JWT_BUILTINS: readonly BuiltinDefinition[] = [
  {
    name: 'io.jwt.decode',
    arity: 1,
    implementation: (args) => decodeInnermost('io.jwt.decode', stringArg('io.jwt.decode', args, 0)),
  },
  {
    name: 'io.jwt.decode_verify',
    arity: 2,
    // Claims are checked against the query's clock unless the constraints give a time.
    nondeterministic: true,
    implementation: (args, context) => {
      const name = 'io.jwt.decode_verify';
      const constraintsValue: ObjectValue = objectArg(name, args, 1);
      const constraints = parseConstraints(name, constraintsValue, context.nowNs, context.cache);
      return decodeVerify(name, stringArg(name, args, 0), constraints);
    },
  },
  secretVerifier('hs256'),
  secretVerifier('hs384'),
  secretVerifier('hs512'),
  ...(
    ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512'] as const
  ).map(publicKeyVerifier),
  publicKeyVerifier('EdDSA'),
  {
    name: 'io.jwt.encode_sign',
    arity: 3,
    // ECDSA and RSA-PSS signatures are randomised.
    nondeterministic: true,
    implementation: (args) => {
      const name = 'io.jwt.encode_sign';
      const header = marshalJson(objectArg(name, args, 0));
      const payload = marshalJson(objectArg(name, args, 1));
      const key = marshalJson(objectArg(name, args, 2));
      return encodeSign(name, header, payload, key);
    },
  },
  {
    name: 'io.jwt.encode_sign_raw',
    arity: 3,
    nondeterministic: true,
    implementation: (args) => {
      const name = 'io.jwt.encode_sign_raw';
      const key = stringArg(name, args, 2);
      return encodeSign(name, stringArg(name, args, 0), stringArg(name, args, 1), key);
    },
  },
];
