/**
 * The JWS algorithms OPA knows (RFC 7518 HS*, RS*, PS*, ES* and RFC 8037 EdDSA with
 * Ed25519), signing and verifying with Node's crypto. A key of the wrong kind for the
 * algorithm does not verify, as in OPA, rather than raising an error.
 */
import {
  constants,
  createHmac,
  type KeyObject,
  sign as nodeSign,
  verify as nodeVerify,
  timingSafeEqual,
} from 'node:crypto';

export type JwsAlgorithm =
  | 'HS256'
  | 'HS384'
  | 'HS512'
  | 'RS256'
  | 'RS384'
  | 'RS512'
  | 'PS256'
  | 'PS384'
  | 'PS512'
  | 'ES256'
  | 'ES384'
  | 'ES512'
  | 'EdDSA';

const DIGESTS: Readonly<Record<JwsAlgorithm, string | null>> = {
  HS256: 'sha256',
  HS384: 'sha384',
  HS512: 'sha512',
  RS256: 'sha256',
  RS384: 'sha384',
  RS512: 'sha512',
  PS256: 'sha256',
  PS384: 'sha384',
  PS512: 'sha512',
  ES256: 'sha256',
  ES384: 'sha384',
  ES512: 'sha512',
  EdDSA: null,
};

export function isJwsAlgorithm(alg: string): alg is JwsAlgorithm {
  return Object.hasOwn(DIGESTS, alg);
}

/** Whether `key` is of the kind `alg` signs with: a secret for HS, RSA for RS and PS, EC for ES, Ed25519 for EdDSA. */
function fits(alg: JwsAlgorithm, key: KeyObject): boolean {
  switch (alg.slice(0, 2)) {
    case 'HS':
      return key.type === 'secret';
    case 'RS':
      return key.asymmetricKeyType === 'rsa';
    case 'PS':
      return key.asymmetricKeyType === 'rsa' || key.asymmetricKeyType === 'rsa-pss';
    case 'ES':
      return key.asymmetricKeyType === 'ec';
    default:
      return key.asymmetricKeyType === 'ed25519';
  }
}

/** The key with the options Node needs for `alg`: PSS padding, or ECDSA's r‖s signature form. */
function keyInput(alg: JwsAlgorithm, key: KeyObject, signing: boolean) {
  if (alg.startsWith('PS')) {
    // Verification accepts any salt length, as Go's rsa.VerifyPSS with nil options; signing
    // uses the digest's length, as JWS prescribes.
    const saltLength = signing ? constants.RSA_PSS_SALTLEN_DIGEST : constants.RSA_PSS_SALTLEN_AUTO;
    return { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength };
  }
  if (alg.startsWith('ES')) return { key, dsaEncoding: 'ieee-p1363' as const };
  return { key };
}

/** Whether `signature` is `alg`'s signature of `input` under `key`; false for a key of another kind. */
export function jwsVerify(
  alg: JwsAlgorithm,
  key: KeyObject,
  input: Uint8Array,
  signature: Uint8Array,
): boolean {
  if (!fits(alg, key)) return false;
  if (key.type === 'secret') {
    const mac = createHmac(DIGESTS[alg] ?? 'sha256', key)
      .update(input)
      .digest();
    return mac.length === signature.length && timingSafeEqual(mac, signature);
  }
  try {
    return nodeVerify(DIGESTS[alg], input, keyInput(alg, key, false), signature);
  } catch {
    // A malformed signature (an ECDSA one of the wrong length) is simply not valid.
    return false;
  }
}

/** `alg`'s signature of `input` under `key`; throws when the key cannot sign with `alg`. */
export function jwsSign(alg: JwsAlgorithm, key: KeyObject, input: Uint8Array): Uint8Array {
  if (!fits(alg, key) || key.type === 'public')
    throw new Error(`the key cannot sign with ${alg}: it is a ${keyDescription(key)}`);
  if (key.type === 'secret') {
    return createHmac(DIGESTS[alg] ?? 'sha256', key)
      .update(input)
      .digest();
  }
  return nodeSign(DIGESTS[alg], input, keyInput(alg, key, true));
}

function keyDescription(key: KeyObject): string {
  return key.type === 'secret' ? 'secret key' : `${key.asymmetricKeyType} ${key.type} key`;
}
