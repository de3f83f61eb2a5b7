/**
 * Certificates in Go's JSON shape remembered by their DER in the engine's cache: reading a
 * certificate's DER takes milliseconds, and policies read the same client or CA
 * certificates on every request (and chain verification reads each certificate twice).
 */
import { goCertificate } from './go-certificate.js';

export type DescribeCertificate = (der: Uint8Array) => Readonly<Record<string, unknown>>;

const CACHE_NAME = 'crypto.x509.certificates';
const MAX_CACHED = 256;

/** `goCertificate` through the engine's cache; the records it returns must not be changed. */
export function cachedGoCertificate(cache: Map<string, unknown>): DescribeCertificate {
  let byDer = cache.get(CACHE_NAME) as Map<string, Record<string, unknown>> | undefined;
  if (byDer === undefined) {
    byDer = new Map();
    cache.set(CACHE_NAME, byDer);
  }
  const known = byDer;
  return (der) => {
    const key = Buffer.from(der).toString('base64');
    const hit = known.get(key);
    if (hit !== undefined) return hit;
    const certificate = goCertificate(der);
    if (known.size < MAX_CACHED) known.set(key, certificate);
    return certificate;
  };
}
