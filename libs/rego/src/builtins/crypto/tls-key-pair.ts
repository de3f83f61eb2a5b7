/**
 * A certificate chain and its private key in the JSON shape of Go's `tls.Certificate`, as
 * `crypto.x509.parse_keypair` returns it after Go's `tls.X509KeyPair` checks: PEM
 * certificates, the first private-key block, and a key that matches the leaf's public key.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { goCertificate } from './go-certificate.js';
import { goKeyJson } from './go-public-key.js';
import { decodePemBlocks } from './pem-blocks.js';
import { parsePrivateKeyDer } from './private-keys.js';
import { X509Error } from './x509-error.js';

function isKeyBlock(type: string): boolean {
  return type === 'PRIVATE KEY' || type.endsWith(' PRIVATE KEY');
}

/** Go tries PKCS #1, then PKCS #8, then SEC 1, whatever the block says. */
function parseAnyPrivateKey(der: Uint8Array): KeyObject {
  for (const format of ['pkcs1', 'pkcs8', 'sec1'] as const) {
    try {
      return parsePrivateKeyDer(der, format);
    } catch {
      // try the next format
    }
  }
  throw new X509Error('tls: failed to parse private key');
}

function spki(key: KeyObject): Buffer {
  const publicKey = key.type === 'public' ? key : createPublicKey(key);
  return publicKey.export({ type: 'spki', format: 'der' });
}

export function goKeyPair(certPem: string, keyPem: string): Record<string, unknown> {
  const certBlocks = decodePemBlocks(certPem);
  const certificates = certBlocks.filter((b) => b.type === 'CERTIFICATE').map((b) => b.bytes);
  if (certificates.length === 0) {
    if (certBlocks.some((b) => isKeyBlock(b.type)))
      throw new X509Error(
        'tls: failed to find certificate PEM data in certificate input, but did find a private key; PEM inputs may have been switched',
      );
    throw new X509Error('tls: failed to find any PEM data in certificate input');
  }
  const keyBlocks = decodePemBlocks(keyPem);
  const keyBlock = keyBlocks.find((b) => isKeyBlock(b.type));
  if (keyBlock === undefined) {
    if (keyBlocks.some((b) => b.type === 'CERTIFICATE'))
      throw new X509Error(
        'tls: found a certificate rather than a key in the PEM for the private key',
      );
    throw new X509Error('tls: failed to find any PEM data in key input');
  }
  const privateKey = parseAnyPrivateKey(keyBlock.bytes);
  const leafDer = certificates[0] as Uint8Array;
  const leaf = goCertificate(leafDer);
  const leafKey = createPublicKey({
    key: Buffer.from(leaf.RawSubjectPublicKeyInfo as string, 'base64'),
    format: 'der',
    type: 'spki',
  });
  if (leafKey.asymmetricKeyType !== privateKey.asymmetricKeyType)
    throw new X509Error('tls: private key type does not match public key type');
  if (!spki(leafKey).equals(spki(privateKey)))
    throw new X509Error('tls: private key does not match public key');
  return {
    Certificate: certificates.map((der) => Buffer.from(der).toString('base64')),
    PrivateKey: goKeyJson(privateKey),
    SupportedSignatureAlgorithms: null,
    OCSPStaple: null,
    SignedCertificateTimestamps: null,
    Leaf: leaf,
  };
}
