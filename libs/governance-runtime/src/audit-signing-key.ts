/**
 * The Ed25519 keys that sign checkpoints (node's `crypto`): a key's id is the first 16 bytes,
 * hex, of the SHA-256 of its public key's DER (SPKI), so that anyone holding the public key
 * computes the same id, and a checkpoint names the key that signed it.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';

export const AUDIT_SIGNING_ALGORITHM = 'Ed25519';

export interface AuditSigningKey {
  readonly keyId: string;
  readonly privateKey: KeyObject;
  /** SPKI PEM of the public key, as stored in `audit_signing_keys` and exported. */
  readonly publicKeyPem: string;
}

/** A public key that signed checkpoints: what a verifier needs. */
export interface AuditPublicKey {
  readonly keyId: string;
  readonly algorithm: string;
  readonly publicKeyPem: string;
}

/** The key id of an Ed25519 public key: hex of the first 16 bytes of SHA-256(SPKI DER). */
export function signingKeyIdOf(publicKey: KeyObject): string {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('hex').slice(0, 32);
}

/**
 * The signing key in a PEM (PKCS #8 private key). Throws a `TypeError` saying why for
 * anything but an Ed25519 private key.
 */
export function auditSigningKeyFromPem(pem: string): AuditSigningKey {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: pem, format: 'pem' });
  } catch (error) {
    throw new TypeError(`not a PEM private key (${(error as Error).message})`);
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new TypeError(
      `an Ed25519 private key is needed, this one is ${privateKey.asymmetricKeyType ?? 'not asymmetric'}`,
    );
  }
  const publicKey = createPublicKey(privateKey);
  return {
    keyId: signingKeyIdOf(publicKey),
    privateKey,
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/** A new key, and its PKCS #8 PEM to keep. */
export function generateAuditSigningKey(): { key: AuditSigningKey; privateKeyPem: string } {
  const { privateKey } = generateKeyPairSync('ed25519');
  const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  return { key: auditSigningKeyFromPem(privateKeyPem), privateKeyPem };
}

/** The public half, as stored and exported. */
export function publicKeyOf(key: AuditSigningKey): AuditPublicKey {
  return { keyId: key.keyId, algorithm: AUDIT_SIGNING_ALGORITHM, publicKeyPem: key.publicKeyPem };
}
