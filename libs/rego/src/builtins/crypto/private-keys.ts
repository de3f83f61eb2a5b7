/**
 * Private keys from PEM text (or base64 of it), as OPA's `getPrivateKeysFromPEMData` reads
 * them: `RSA PRIVATE KEY` (PKCS #1), `PRIVATE KEY` (PKCS #8) and `EC PRIVATE KEY` (SEC 1)
 * blocks, in order, other blocks skipped. Node's crypto parses the DER.
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { fromBase64 } from '../encoding/bytes.js';
import { decodePemBlocks } from './pem-blocks.js';
import { X509Error } from './x509-error.js';

const FORMATS: Readonly<Record<string, 'pkcs1' | 'pkcs8' | 'sec1'>> = {
  'RSA PRIVATE KEY': 'pkcs1',
  'PRIVATE KEY': 'pkcs8',
  'EC PRIVATE KEY': 'sec1',
};

/** Parses DER of a private key in one of the formats; throws `X509Error` as Go's x509 would. */
export function parsePrivateKeyDer(der: Uint8Array, format: 'pkcs1' | 'pkcs8' | 'sec1'): KeyObject {
  try {
    return createPrivateKey({ key: Buffer.from(der), format: 'der', type: format });
  } catch (error) {
    throw new X509Error(
      `x509: failed to parse private key (${format}): ${(error as Error).message}`,
    );
  }
}

/** Every private key of the text's PEM blocks; base64 of PEM is decoded first. */
export function privateKeysFromPem(text: string): KeyObject[] {
  const decoded = fromBase64(text);
  const pem = decoded === undefined ? text : Buffer.from(decoded).toString('utf8');
  const keys: KeyObject[] = [];
  for (const block of decodePemBlocks(pem)) {
    const format = FORMATS[block.type];
    if (format !== undefined) keys.push(parsePrivateKeyDer(block.bytes, format));
  }
  return keys;
}
