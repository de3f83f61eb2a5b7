/**
 * A PKCS #10 certificate signing request in the JSON shape of Go's
 * `x509.CertificateRequest`, which `crypto.x509.parse_certificate_request` returns. Read
 * with PeculiarVentures' ASN.1 schemas; extensions come from the `extensionRequest`
 * attribute, as Go takes them.
 */
import { createPublicKey } from 'node:crypto';
import { CertificationRequest } from '@peculiar/asn1-csr';
import { AsnConvert } from '@peculiar/asn1-schema';
import {
  type Extension,
  Extensions,
  id_ce_subjectAltName,
  SubjectAlternativeName,
} from '@peculiar/asn1-x509';
import { signatureAlgorithmOf } from './go-certificate.js';
import { goExtension } from './go-certificate-extensions.js';
import { altNames } from './go-general-names.js';
import { goPkixName, oidArcs } from './go-pkix-name.js';
import { goKeyJson, publicKeyAlgorithm } from './go-public-key.js';
import { X509Error } from './x509-error.js';

const EXTENSION_REQUEST = '1.2.840.113549.1.9.14';

function base64(bytes: ArrayBuffer | Uint8Array): string {
  return Buffer.from(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes)).toString(
    'base64',
  );
}

export function goCertificateRequest(der: Uint8Array): Record<string, unknown> {
  let request: CertificationRequest;
  try {
    request = AsnConvert.parse(der, CertificationRequest);
  } catch {
    throw new X509Error('x509: malformed certificate request');
  }
  const info = request.certificationRequestInfo;
  const spki = AsnConvert.serialize(info.subjectPKInfo);
  let publicKey: ReturnType<typeof createPublicKey> | undefined;
  try {
    publicKey = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
  } catch {
    publicKey = undefined;
  }
  let extensions: Extension[];
  let names: ReturnType<typeof altNames>;
  try {
    extensions = info.attributes
      .filter((attribute) => attribute.type === EXTENSION_REQUEST)
      .flatMap((attribute) =>
        attribute.values.flatMap((v) => [...AsnConvert.parse(v, Extensions)]),
      );
    const san = extensions.find((e) => e.extnID === id_ce_subjectAltName);
    names = altNames(
      san === undefined ? [] : AsnConvert.parse(san.extnValue.buffer, SubjectAlternativeName),
    );
  } catch {
    throw new X509Error('x509: malformed extension request');
  }
  const goExtensions = extensions.map(goExtension);
  return {
    Raw: base64(der),
    RawTBSCertificateRequest: base64(AsnConvert.serialize(info)),
    RawSubjectPublicKeyInfo: base64(spki),
    RawSubject: base64(AsnConvert.serialize(info.subject)),
    Version: info.version,
    Signature: base64(request.signature),
    SignatureAlgorithm: signatureAlgorithmOf(request.signatureAlgorithm),
    PublicKeyAlgorithm: publicKey === undefined ? 0 : publicKeyAlgorithm(publicKey),
    PublicKey: publicKey === undefined ? null : goKeyJson(publicKey),
    Subject: goPkixName(info.subject),
    // Go's deprecated Attributes: each extension request as a set of (type, value) pairs.
    Attributes:
      goExtensions.length === 0
        ? null
        : [
            {
              Type: oidArcs(EXTENSION_REQUEST),
              Value: [goExtensions.map((e) => ({ Type: e.Id, Value: e.Value }))],
            },
          ],
    Extensions: goExtensions.length === 0 ? null : goExtensions,
    ExtraExtensions: null,
    DNSNames: names.DNSNames,
    EmailAddresses: names.EmailAddresses,
    IPAddresses: names.IPAddresses,
    URIs: names.URIs,
  };
}
