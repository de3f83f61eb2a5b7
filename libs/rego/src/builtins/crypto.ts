/**
 * Crypto builtins: digests (`crypto.md5/sha1/sha256`) and `crypto.hmac.*` on UTF-8 bytes
 * (@noble/hashes); X.509 certificates, chains, signing requests and key pairs
 * (`crypto.x509.*`) and private keys (`crypto.parse_private_keys`) in the JSON shapes of
 * Go's types, as OPA returns them (the readers are in `crypto/`, on Node's crypto).
 */
import { hmac } from '@noble/hashes/hmac.js';
import { md5, sha1 } from '@noble/hashes/legacy.js';
import { sha256, sha512 } from '@noble/hashes/sha2.js';
import type { Value } from '../value/value.js';
import { arr, bool, EMPTY_ARRAY, FALSE, NULL, str, TRUE } from '../value/value-builders.js';
import { fromJs } from '../value/value-json.js';
import type { BuiltinDefinition } from './builtin.js';
import { cachedGoCertificate, type DescribeCertificate } from './crypto/certificate-cache.js';
import { verifyChain } from './crypto/certificate-chain.js';
import { certificatesFromText } from './crypto/certificate-input.js';
import { goCertificateRequest } from './crypto/go-certificate-request.js';
import { goKeyJson } from './crypto/go-public-key.js';
import { decodePem } from './crypto/pem-blocks.js';
import { privateKeysFromPem } from './crypto/private-keys.js';
import { decodeStdBase64 } from './crypto/std-base64.js';
import { goKeyPair } from './crypto/tls-key-pair.js';
import { verifyOptions } from './crypto/verify-options.js';
import { X509Error } from './crypto/x509-error.js';
import { toHex, utf8 } from './encoding/bytes.js';
import { builtinError, objectArg, stringArg } from './operands.js';

/** OPA offers these digests, and HMAC also with SHA-512. */
const DIGESTS = { md5, sha1, sha256 } as const;
const HMACS = { md5, sha1, sha256, sha512 } as const;

function constantTimeEqual(a: string, b: string): boolean {
  const x = utf8(a);
  const y = utf8(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}

/** Runs an x509 reader, turning its `X509Error` into the builtin's error. */
function reading<T>(name: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof X509Error) throw builtinError(name, error.message);
    throw error;
  }
}

const BEGIN = '-----BEGIN';

/** PEM text as given, or the base64 of it (or of DER) decoded, as OPA reads key pair operands. */
function pemOrBase64(text: string, derType: string): string {
  if (text.startsWith(`${BEGIN} `)) return text;
  const bytes = Buffer.from(decodeStdBase64(text));
  if (bytes.toString('latin1').startsWith(`${BEGIN} `)) return bytes.toString('utf8');
  const body = bytes.toString('base64').replace(/(.{64})/g, '$1\n');
  return `${BEGIN} ${derType}-----\n${body}\n-----END ${derType}-----\n`;
}

const UNVERIFIED = arr([FALSE, EMPTY_ARRAY]);

/** The chain's certificates parsed, or undefined when a certificate is unreadable (OPA answers [false, []]). */
function readCertificates(text: string): Uint8Array[] | undefined {
  try {
    return certificatesFromText(text);
  } catch (error) {
    if (error instanceof X509Error) return undefined;
    throw error;
  }
}

function parsedCertificates(
  name: string,
  ders: readonly Uint8Array[],
  describe: DescribeCertificate,
): Value {
  return fromJs(reading(name, () => ders.map(describe)));
}

/** The chain verified (leaf first), or undefined when it does not verify (OPA answers [false, []]). */
function verifiedChain(
  ders: readonly Uint8Array[],
  options: Parameters<typeof verifyChain>[1],
  describe: DescribeCertificate,
): Uint8Array[] | undefined {
  try {
    return verifyChain(ders, options, describe);
  } catch (error) {
    if (error instanceof X509Error) return undefined;
    throw error;
  }
}

const X509_BUILTINS: readonly BuiltinDefinition[] = [
  {
    name: 'crypto.x509.parse_certificates',
    arity: 1,
    implementation: (args, context) => {
      const name = 'crypto.x509.parse_certificates';
      const text = stringArg(name, args, 0);
      const ders = reading(name, () => certificatesFromText(text));
      return parsedCertificates(name, ders, cachedGoCertificate(context.cache));
    },
  },
  {
    name: 'crypto.x509.parse_and_verify_certificates',
    arity: 1,
    implementation: (args, context) => {
      const name = 'crypto.x509.parse_and_verify_certificates';
      const ders = readCertificates(stringArg(name, args, 0));
      if (ders === undefined) return UNVERIFIED;
      const options = {
        dnsName: '',
        currentTimeMs: Number(context.nowNs / 1_000_000n),
        keyUsages: [],
      };
      const describe = cachedGoCertificate(context.cache);
      const chain = verifiedChain(ders, options, describe);
      if (chain === undefined) return UNVERIFIED;
      return arr([TRUE, parsedCertificates(name, chain, describe)]);
    },
  },
  {
    name: 'crypto.x509.parse_and_verify_certificates_with_options',
    arity: 2,
    implementation: (args, context) => {
      const name = 'crypto.x509.parse_and_verify_certificates_with_options';
      const text = stringArg(name, args, 0);
      const optionsValue = objectArg(name, args, 1);
      const ders = readCertificates(text);
      if (ders === undefined) return UNVERIFIED;
      const options = reading(name, () => verifyOptions(optionsValue, context.nowNs));
      const describe = cachedGoCertificate(context.cache);
      const chain = verifiedChain(ders, options, describe);
      if (chain === undefined) return UNVERIFIED;
      // OPA returns these without the URIStrings it adds to parse_certificates' results.
      const certificates = chain.map((der) => {
        const { URIStrings: _, ...certificate } = describe(der);
        return certificate;
      });
      return arr([TRUE, fromJs(certificates)]);
    },
  },
  {
    name: 'crypto.x509.parse_certificate_request',
    arity: 1,
    implementation: (args) => {
      const name = 'crypto.x509.parse_certificate_request';
      const text = stringArg(name, args, 0);
      return reading(name, () => {
        const pemText = text.startsWith(`${BEGIN} CERTIFICATE REQUEST-----`)
          ? text
          : Buffer.from(decodeStdBase64(text)).toString('latin1');
        const { block } = decodePem(pemText);
        if (block !== undefined && block.type !== 'CERTIFICATE REQUEST')
          throw new X509Error('invalid PEM-encoded certificate signing request');
        const der = block?.bytes ?? Uint8Array.from(Buffer.from(pemText, 'latin1'));
        return fromJs(goCertificateRequest(der));
      });
    },
  },
  {
    name: 'crypto.x509.parse_keypair',
    arity: 2,
    implementation: (args) => {
      const name = 'crypto.x509.parse_keypair';
      const cert = stringArg(name, args, 0);
      const key = stringArg(name, args, 1);
      return reading(name, () =>
        fromJs(goKeyPair(pemOrBase64(cert, 'CERTIFICATE'), pemOrBase64(key, 'PRIVATE KEY'))),
      );
    },
  },
  {
    name: 'crypto.x509.parse_rsa_private_key',
    arity: 1,
    implementation: (args) => {
      const name = 'crypto.x509.parse_rsa_private_key';
      const text = stringArg(name, args, 0);
      if (text === '') throw builtinError(name, 'input PEM data was empty');
      return reading(name, () => {
        const pem = text.startsWith(BEGIN) ? text : Buffer.from(decodeStdBase64(text)).toString();
        const [key] = privateKeysFromPem(pem);
        // The first key as a JWK, which OPA returns whatever the key's kind.
        if (key === undefined) return NULL;
        try {
          return fromJs(key.export({ format: 'jwk' }));
        } catch (error) {
          throw new X509Error(`failed to give the key as a JWK: ${(error as Error).message}`);
        }
      });
    },
  },
  {
    name: 'crypto.parse_private_keys',
    arity: 1,
    implementation: (args) => {
      const name = 'crypto.parse_private_keys';
      const text = stringArg(name, args, 0);
      if (text === '') return NULL;
      return reading(name, () => fromJs(privateKeysFromPem(text).map(goKeyJson)));
    },
  },
];

export const CRYPTO_BUILTINS: readonly BuiltinDefinition[] = [
  ...X509_BUILTINS,
  ...Object.entries(DIGESTS).map(
    ([algorithm, hash]): BuiltinDefinition => ({
      name: `crypto.${algorithm}`,
      arity: 1,
      implementation: (args) => str(toHex(hash(utf8(stringArg(`crypto.${algorithm}`, args, 0))))),
    }),
  ),
  ...Object.entries(HMACS).map(
    ([algorithm, hash]): BuiltinDefinition => ({
      name: `crypto.hmac.${algorithm}`,
      arity: 2,
      implementation: (args) => {
        const name = `crypto.hmac.${algorithm}`;
        const message = utf8(stringArg(name, args, 0));
        const key = utf8(stringArg(name, args, 1));
        return str(toHex(hmac(hash, key, message)));
      },
    }),
  ),
  {
    name: 'crypto.hmac.equal',
    arity: 2,
    implementation: (args) =>
      bool(
        constantTimeEqual(
          stringArg('crypto.hmac.equal', args, 0),
          stringArg('crypto.hmac.equal', args, 1),
        ),
      ),
  },
];
