/**
 * JSON Web Keys (RFC 7517) as OPA reads them for `io.jwt.*`: one key object, or a set
 * `{"keys": [...]}`, imported into Node's KeyObjects (`oct` keys as secrets, `RSA`, `EC`
 * and `OKP` through Node's JWK import). Each key keeps the `alg` and `kid` it names, which
 * pick the key that checks a token.
 */
import {
  createPrivateKey,
  createPublicKey,
  createSecretKey,
  type JsonWebKey,
  type KeyObject,
} from 'node:crypto';
import { fromBase64Url } from '../encoding/bytes.js';

export interface Jwk {
  /** The key itself: a secret for `oct`, else the private key when `d` is given, else the public key. */
  readonly key: KeyObject;
  /** The public half of an asymmetric key (the key itself for public and secret keys). */
  readonly verifyKey: KeyObject;
  readonly alg?: string;
  readonly kid?: string;
}

/** A JWK text that is not one: the message says what is wrong, for the builtin to prefix. */
export class JwkError extends Error {
  override readonly name = 'JwkError';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalString(jwk: Record<string, unknown>, field: string): string | undefined {
  const value = jwk[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new JwkError(`"${field}" must be a string`);
  return value;
}

function importKey(jwk: Record<string, unknown>): Jwk {
  const kty = jwk.kty;
  if (typeof kty !== 'string') throw new JwkError('missing "kty" field');
  const alg = optionalString(jwk, 'alg');
  const kid = optionalString(jwk, 'kid');
  const named = { ...(alg === undefined ? {} : { alg }), ...(kid === undefined ? {} : { kid }) };
  if (kty === 'oct') {
    const k = optionalString(jwk, 'k');
    const secret = k === undefined ? undefined : fromBase64Url(k);
    if (secret === undefined) throw new JwkError('an "oct" key needs "k" in base64url');
    const key = createSecretKey(secret);
    return { key, verifyKey: key, ...named };
  }
  if (kty !== 'RSA' && kty !== 'EC' && kty !== 'OKP')
    throw new JwkError(`invalid key type: ${kty}`);
  try {
    // Node's JWK import takes the members it knows and rejects a malformed one.
    const material = jwk as JsonWebKey;
    if (jwk.d !== undefined) {
      const key = createPrivateKey({ key: material, format: 'jwk' });
      return { key, verifyKey: createPublicKey(key), ...named };
    }
    const key = createPublicKey({ key: material, format: 'jwk' });
    return { key, verifyKey: key, ...named };
  } catch (error) {
    throw new JwkError(`failed to import ${kty} key: ${(error as Error).message}`);
  }
}

/**
 * The keys of a JWK or JWK set text, in order. Throws `JwkError` for text that is not
 * JSON, not an object, or holds a key Node cannot import.
 */
export function parseJwks(text: string): Jwk[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new JwkError(`invalid JSON: ${(error as Error).message}`);
  }
  if (!isRecord(parsed)) throw new JwkError('a JWK must be a JSON object');
  if (!('keys' in parsed)) return [importKey(parsed)];
  const keys = parsed.keys;
  if (!Array.isArray(keys)) throw new JwkError('"keys" must be an array');
  return keys.map((key) => {
    if (!isRecord(key)) throw new JwkError('each member of "keys" must be a JSON object');
    return importKey(key);
  });
}
