/**
 * An X.509 certificate in the JSON shape of Go's `x509.Certificate` (plus OPA's
 * `URIStrings`), which `crypto.x509.parse_certificates` and its siblings return: byte
 * fields as base64, OIDs as integer arrays, enumerations as Go's numbers, times in RFC 3339.
 * The DER is read with PeculiarVentures' ASN.1 schemas; the public key with Node's crypto.
 */
import { createPublicKey } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import { type AlgorithmIdentifier, Certificate } from '@peculiar/asn1-x509';
import { extensionFields, goExtension } from './go-certificate-extensions.js';
import { goPkixName } from './go-pkix-name.js';
import { goKeyJson, publicKeyAlgorithm } from './go-public-key.js';
import { X509Error } from './x509-error.js';

/** Go's `x509.SignatureAlgorithm` numbers by OID (RSA-PSS is numbered by its hash below). */
const SIGNATURE_ALGORITHMS: Readonly<Record<string, number>> = {
  '1.2.840.113549.1.1.2': 1,
  '1.2.840.113549.1.1.4': 2,
  '1.2.840.113549.1.1.5': 3,
  '1.2.840.113549.1.1.11': 4,
  '1.2.840.113549.1.1.12': 5,
  '1.2.840.113549.1.1.13': 6,
  '1.2.840.10040.4.3': 7,
  '2.16.840.1.101.3.4.3.2': 8,
  '1.2.840.10045.4.1': 9,
  '1.2.840.10045.4.3.2': 10,
  '1.2.840.10045.4.3.3': 11,
  '1.2.840.10045.4.3.4': 12,
  '1.3.101.112': 16,
};
const RSA_PSS = '1.2.840.113549.1.1.10';
/** The DER of the SHA-256/384/512 OIDs, to Go's SHA256WithRSAPSS, SHA384WithRSAPSS, SHA512WithRSAPSS. */
const PSS_BY_HASH_DER: Readonly<Record<string, number>> = {
  '0609608648016503040201': 13,
  '0609608648016503040202': 14,
  '0609608648016503040203': 15,
};

function base64(bytes: ArrayBuffer | Uint8Array): string {
  return Buffer.from(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes)).toString(
    'base64',
  );
}

/** Go's JSON of a `time.Time` in UTC: RFC 3339 with fractional seconds only when there are any. */
function goTime(date: Date): string {
  return date.toISOString().replace('.000Z', 'Z');
}

/** Go's `SignatureAlgorithm` number of an AlgorithmIdentifier. */
export function signatureAlgorithmOf(identifier: AlgorithmIdentifier): number {
  const oid = identifier.algorithm;
  const parameters = identifier.parameters;
  if (oid !== RSA_PSS) return SIGNATURE_ALGORITHMS[oid] ?? 0;
  // RSASSA-PSS-params name their hash by OID; Go knows PSS with SHA-256, 384 and 512 only.
  const hex = parameters ? Buffer.from(parameters).toString('hex') : '';
  for (const [hashDer, algorithm] of Object.entries(PSS_BY_HASH_DER)) {
    if (hex.includes(hashDer)) return algorithm;
  }
  return 0;
}

/** Parses one DER certificate; throws `X509Error` with Go's message. */
export function parseCertificate(der: Uint8Array): Certificate {
  try {
    return AsnConvert.parse(der, Certificate);
  } catch {
    throw new X509Error('x509: malformed certificate');
  }
}

/** The certificate as Go's `x509.Certificate` marshals to JSON (with OPA's `URIStrings`). */
export function goCertificate(der: Uint8Array): Record<string, unknown> {
  const certificate = parseCertificate(der);
  const tbs = certificate.tbsCertificate;
  const spki = AsnConvert.serialize(tbs.subjectPublicKeyInfo);
  let publicKey: ReturnType<typeof createPublicKey> | undefined;
  try {
    publicKey = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
  } catch {
    publicKey = undefined;
  }
  const extensions = [...(tbs.extensions ?? [])];
  let fields: Record<string, unknown>;
  try {
    fields = extensionFields(extensions);
  } catch {
    // Go refuses a certificate whose known extensions do not parse.
    throw new X509Error('x509: malformed extension');
  }
  return {
    Raw: base64(der),
    RawTBSCertificate: base64(AsnConvert.serialize(tbs)),
    RawSubjectPublicKeyInfo: base64(spki),
    RawSubject: base64(AsnConvert.serialize(tbs.subject)),
    RawIssuer: base64(AsnConvert.serialize(tbs.issuer)),
    Signature: base64(certificate.signatureValue),
    SignatureAlgorithm: signatureAlgorithmOf(certificate.signatureAlgorithm),
    PublicKeyAlgorithm: publicKey === undefined ? 0 : publicKeyAlgorithm(publicKey),
    PublicKey: publicKey === undefined ? null : goKeyJson(publicKey),
    Version: tbs.version + 1,
    SerialNumber: BigInt(`0x${Buffer.from(tbs.serialNumber).toString('hex') || '0'}`),
    Issuer: goPkixName(tbs.issuer),
    Subject: goPkixName(tbs.subject),
    NotBefore: goTime(tbs.validity.notBefore.getTime()),
    NotAfter: goTime(tbs.validity.notAfter.getTime()),
    Extensions: extensions.length === 0 ? null : extensions.map(goExtension),
    ExtraExtensions: null,
    UnhandledCriticalExtensions: null,
    ...fields,
  };
}
