/**
 * Keys in the JSON shape Go's `encoding/json` gives `crypto` keys, as OPA's x509 builtins
 * return them: RSA `{N, E}` (and `D`, `Primes`, `Precomputed` for private keys), ECDSA
 * `{Curve: {}, X, Y}` (and `D`), Ed25519 as the base64 of its bytes. The key material comes
 * from Node's JWK export.
 */
import type { JsonWebKey, KeyObject } from 'node:crypto';

/** Go's `x509.PublicKeyAlgorithm` numbers. */
export const PUBLIC_KEY_ALGORITHMS = { unknown: 0, RSA: 1, DSA: 2, ECDSA: 3, Ed25519: 4 } as const;

function bigint(base64url: string | undefined): bigint {
  const hex = Buffer.from(base64url ?? '', 'base64url').toString('hex');
  return hex === '' ? 0n : BigInt(`0x${hex}`);
}

/** Go's `PublicKeyAlgorithm` of a key. */
export function publicKeyAlgorithm(key: KeyObject): number {
  switch (key.asymmetricKeyType) {
    case 'rsa':
    case 'rsa-pss':
      return PUBLIC_KEY_ALGORITHMS.RSA;
    case 'dsa':
      return PUBLIC_KEY_ALGORITHMS.DSA;
    case 'ec':
      return PUBLIC_KEY_ALGORITHMS.ECDSA;
    case 'ed25519':
      return PUBLIC_KEY_ALGORITHMS.Ed25519;
    default:
      return PUBLIC_KEY_ALGORITHMS.unknown;
  }
}

/** A public or private key as Go marshals it; null for kinds Go's x509 does not parse. */
export function goKeyJson(key: KeyObject): unknown {
  const type = key.asymmetricKeyType;
  if (type !== 'rsa' && type !== 'ec' && type !== 'ed25519') return null;
  let jwk: JsonWebKey;
  try {
    jwk = key.export({ format: 'jwk' });
  } catch {
    // A curve JWK has no name for (Go's x509 does not read those keys either).
    return null;
  }
  const isPrivate = key.type === 'private';
  if (type === 'ed25519') {
    // Go's ed25519.PrivateKey is the seed followed by the public key.
    const bytes = isPrivate
      ? Buffer.concat([
          Buffer.from(jwk.d ?? '', 'base64url'),
          Buffer.from(jwk.x ?? '', 'base64url'),
        ])
      : Buffer.from(jwk.x ?? '', 'base64url');
    return bytes.toString('base64');
  }
  if (type === 'ec') {
    const point = { Curve: {}, X: bigint(jwk.x), Y: bigint(jwk.y) };
    return isPrivate ? { ...point, D: bigint(jwk.d) } : point;
  }
  const publicPart = { N: bigint(jwk.n), E: Number(bigint(jwk.e)) };
  if (!isPrivate) return publicPart;
  return {
    ...publicPart,
    D: bigint(jwk.d),
    Primes: [bigint(jwk.p), bigint(jwk.q)],
    Precomputed: { Dp: bigint(jwk.dp), Dq: bigint(jwk.dq), Qinv: bigint(jwk.qi), CRTValues: [] },
  };
}
