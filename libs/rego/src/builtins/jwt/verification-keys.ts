/**
 * The keys a token may be checked with, from the text OPA accepts in `io.jwt.verify_*`'s
 * second operand and `decode_verify`'s `cert` constraint: a PEM certificate (its public
 * key), a PEM public key, or a JWK / JWK set. A JWK whose `alg` OPA does not know is left
 * out, as OPA leaves it out.
 */
import { createPublicKey, type KeyObject, X509Certificate } from 'node:crypto';
import { decodePem } from '../crypto/pem-blocks.js';
import { JwkError, parseJwks } from './jwk-keys.js';
import { isJwsAlgorithm } from './jws-algorithms.js';

export interface VerificationKey {
  readonly key: KeyObject;
  /** The algorithm a JWK names; a PEM key names none and is tried with the token's. */
  readonly alg?: string;
  readonly kid?: string;
}

/** The key text is unusable; the message is OPA's, for the builtin to prefix with its name. */
export class KeyTextError extends Error {
  override readonly name = 'KeyTextError';
}

function pemKeys(type: string, der: Uint8Array): VerificationKey[] {
  if (type === 'CERTIFICATE') {
    try {
      return [{ key: new X509Certificate(der).publicKey }];
    } catch (error) {
      throw new KeyTextError(`failed to parse a PEM certificate: ${(error as Error).message}`);
    }
  }
  if (type === 'PUBLIC KEY') {
    try {
      return [{ key: createPublicKey({ key: Buffer.from(der), format: 'der', type: 'spki' }) }];
    } catch (error) {
      throw new KeyTextError(`failed to parse a PEM public key: ${(error as Error).message}`);
    }
  }
  throw new KeyTextError('failed to extract a Key from the PEM certificate');
}

/** The keys of a certificate, public key or JWK (set) text; throws `KeyTextError` otherwise. */
export function verificationKeys(text: string): VerificationKey[] {
  const { block, rest } = decodePem(text);
  if (block !== undefined) {
    if (rest.length > 0) throw new KeyTextError('extra data after a PEM certificate block');
    return pemKeys(block.type, block.bytes);
  }
  try {
    return parseJwks(text)
      .filter((jwk) => jwk.alg === undefined || isJwsAlgorithm(jwk.alg))
      .map((jwk) => ({ key: jwk.verifyKey, alg: jwk.alg, kid: jwk.kid }));
  } catch (error) {
    if (error instanceof JwkError)
      throw new KeyTextError(`failed to parse a JWK key (set): ${error.message}`);
    throw error;
  }
}

const CACHE_NAME = 'io.jwt.verification-keys';
/** Key texts remembered per engine: a policy checks tokens against a few JWK sets or certificates. */
const MAX_CACHED = 64;

/**
 * `verificationKeys`, remembered in the engine's cache by the key text, so that a policy
 * checking every request's token against the same JWK set imports its keys once.
 */
export function cachedVerificationKeys(
  text: string,
  cache: Map<string, unknown>,
): readonly VerificationKey[] {
  let byText = cache.get(CACHE_NAME) as Map<string, readonly VerificationKey[]> | undefined;
  if (byText === undefined) {
    byText = new Map();
    cache.set(CACHE_NAME, byText);
  }
  const known = byText.get(text);
  if (known !== undefined) return known;
  const keys = verificationKeys(text);
  if (byText.size < MAX_CACHED) byText.set(text, keys);
  return keys;
}
