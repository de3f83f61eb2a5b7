/**
 * An X.509 certificate in the JSON shape of Go's `x509.Certificate` (plus OPA's
 * `URIStrings`), which `crypto.x509.parse_certificates` and its siblings return: byte
 * fields as base64, OIDs as integer arrays, enumerations as Go's numbers, times in RFC 3339.
 * The DER is read with PeculiarVentures' ASN.1 schemas; the public key with Node's crypto.
 */
import { createPublicKey } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import {
  type AlgorithmIdentifier,
  AuthorityInfoAccessSyntax,
  AuthorityKeyIdentifier,
  BasicConstraints,
  Certificate,
  CertificatePolicies,
  CRLDistributionPoints,
  ExtendedKeyUsage,
  type Extension,
  type GeneralName,
  InhibitAnyPolicy,
  id_ad_caIssuers,
  id_ad_ocsp,
  id_ce_authorityKeyIdentifier,
  id_ce_basicConstraints,
  id_ce_certificatePolicies,
  id_ce_cRLDistributionPoints,
  id_ce_extKeyUsage,
  id_ce_inhibitAnyPolicy,
  id_ce_keyUsage,
  id_ce_nameConstraints,
  id_ce_policyConstraints,
  id_ce_policyMappings,
  id_ce_subjectAltName,
  id_ce_subjectKeyIdentifier,
  id_pe_authorityInfoAccess,
  KeyUsage,
  NameConstraints,
  PolicyConstraints,
  PolicyMappings,
  SubjectAlternativeName,
  SubjectKeyIdentifier,
} from '@peculiar/asn1-x509';
import { goPkixName, oidArcs } from './go-pkix-name.js';
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

/** Go's `x509.ExtKeyUsage` numbers by OID. */
export const EXT_KEY_USAGES: Readonly<Record<string, number>> = {
  '2.5.29.37.0': 0,
  '1.3.6.1.5.5.7.3.1': 1,
  '1.3.6.1.5.5.7.3.2': 2,
  '1.3.6.1.5.5.7.3.3': 3,
  '1.3.6.1.5.5.7.3.4': 4,
  '1.3.6.1.5.5.7.3.5': 5,
  '1.3.6.1.5.5.7.3.6': 6,
  '1.3.6.1.5.5.7.3.7': 7,
  '1.3.6.1.5.5.7.3.8': 8,
  '1.3.6.1.5.5.7.3.9': 9,
  '1.3.6.1.4.1.311.10.3.3': 10,
  '2.16.840.1.113730.4.1': 11,
  '1.3.6.1.4.1.311.2.1.22': 12,
  '1.3.6.1.4.1.311.61.1.1': 13,
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

/** What Go's `SubjectAltName`-style GeneralNames fill: DNS names, e-mails, IPs, URIs. */
interface AltNames {
  DNSNames: string[] | null;
  EmailAddresses: string[] | null;
  IPAddresses: string[] | null;
  URIs: Record<string, unknown>[] | null;
  URIStrings: string[] | null;
}

function push<T>(list: T[] | null, item: T): T[] {
  return list === null ? [item] : [...list, item];
}

/** Go's JSON of a `*url.URL`. */
function goUrl(text: string): Record<string, unknown> {
  const parts = /^(?:([^:/?#]+):)?(?:\/\/([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/s.exec(text);
  return {
    Scheme: parts?.[1] ?? '',
    Opaque: '',
    User: null,
    Host: parts?.[2] ?? '',
    Path: decodeURIComponentSafe(parts?.[3] ?? ''),
    RawPath: '',
    OmitHost: false,
    ForceQuery: false,
    RawQuery: parts?.[4] ?? '',
    Fragment: parts?.[5] ?? '',
    RawFragment: '',
  };
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

export function altNames(names: readonly GeneralName[]): AltNames {
  const out: AltNames = {
    DNSNames: null,
    EmailAddresses: null,
    IPAddresses: null,
    URIs: null,
    URIStrings: null,
  };
  for (const name of names) {
    if (name.dNSName !== undefined) out.DNSNames = push(out.DNSNames, name.dNSName);
    else if (name.rfc822Name !== undefined)
      out.EmailAddresses = push(out.EmailAddresses, name.rfc822Name);
    else if (name.iPAddress !== undefined) out.IPAddresses = push(out.IPAddresses, name.iPAddress);
    else if (name.uniformResourceIdentifier !== undefined) {
      out.URIs = push(out.URIs, goUrl(name.uniformResourceIdentifier));
      out.URIStrings = push(out.URIStrings, name.uniformResourceIdentifier);
    }
  }
  return out;
}

function goExtension(extension: Extension): Record<string, unknown> {
  return {
    Id: oidArcs(extension.extnID),
    Critical: extension.critical,
    Value: base64(extension.extnValue.buffer),
  };
}

/** Go's JSON of a `*net.IPNet` from `192.0.2.0/24`: the address and the mask's bytes in base64. */
function goIpNet(cidr: string): Record<string, unknown> {
  const [ip = '', bitsText = '0'] = cidr.split('/');
  const bytes = ip.includes(':') ? 16 : 4;
  const bits = Number(bitsText);
  const mask = Buffer.alloc(bytes);
  for (let i = 0; i < bytes; i++) mask[i] = 0xff & (0xff << Math.max(0, 8 - (bits - 8 * i)));
  return { IP: ip, Mask: mask.toString('base64') };
}

/** The permitted and excluded names of a NameConstraints extension, in Go's members. */
function nameConstraintFields(constraints: NameConstraints): Record<string, unknown> {
  const pick = (
    subtrees: NameConstraints['permittedSubtrees'],
    read: (name: GeneralName) => unknown,
  ): unknown[] | null => {
    const found = (subtrees ?? []).flatMap((s) => {
      const value = read(s.base);
      return value === undefined ? [] : [value];
    });
    return found.length === 0 ? null : found;
  };
  const both = (read: (name: GeneralName) => unknown) => [
    pick(constraints.permittedSubtrees, read),
    pick(constraints.excludedSubtrees, read),
  ];
  const [PermittedDNSDomains, ExcludedDNSDomains] = both((n) => n.dNSName);
  const [PermittedIPRanges, ExcludedIPRanges] = both((n) =>
    n.iPAddress === undefined ? undefined : goIpNet(n.iPAddress),
  );
  const [PermittedEmailAddresses, ExcludedEmailAddresses] = both((n) => n.rfc822Name);
  const [PermittedURIDomains, ExcludedURIDomains] = both((n) => n.uniformResourceIdentifier);
  return {
    PermittedDNSDomains,
    ExcludedDNSDomains,
    PermittedIPRanges,
    ExcludedIPRanges,
    PermittedEmailAddresses,
    ExcludedEmailAddresses,
    PermittedURIDomains,
    ExcludedURIDomains,
  };
}

/** An ASN.1 INTEGER's content octets (a SkipCerts count) as a number. */
function skipCerts(bytes: ArrayBuffer): number {
  return new Uint8Array(bytes).reduce((n, byte) => n * 256 + byte, 0);
}

/** The members Go fills from the extensions it understands. */
function extensionFields(extensions: readonly Extension[]): Record<string, unknown> {
  const fields: Record<string, unknown> = {
    KeyUsage: 0,
    ExtKeyUsage: null,
    UnknownExtKeyUsage: null,
    BasicConstraintsValid: false,
    IsCA: false,
    MaxPathLen: 0,
    MaxPathLenZero: false,
    SubjectKeyId: null,
    AuthorityKeyId: null,
    OCSPServer: null,
    IssuingCertificateURL: null,
    ...altNames([]),
    PermittedDNSDomainsCritical: false,
    PermittedDNSDomains: null,
    ExcludedDNSDomains: null,
    PermittedIPRanges: null,
    ExcludedIPRanges: null,
    PermittedEmailAddresses: null,
    ExcludedEmailAddresses: null,
    PermittedURIDomains: null,
    ExcludedURIDomains: null,
    CRLDistributionPoints: null,
    PolicyIdentifiers: null,
    Policies: null,
    InhibitAnyPolicy: 0,
    InhibitAnyPolicyZero: false,
    InhibitPolicyMapping: 0,
    InhibitPolicyMappingZero: false,
    RequireExplicitPolicy: 0,
    RequireExplicitPolicyZero: false,
    PolicyMappings: null,
  };
  for (const extension of extensions) {
    const value = extension.extnValue.buffer;
    switch (extension.extnID) {
      case id_ce_keyUsage:
        fields.KeyUsage = AsnConvert.parse(value, KeyUsage).toNumber();
        break;
      case id_ce_extKeyUsage: {
        const known: number[] = [];
        const unknown: number[][] = [];
        for (const oid of AsnConvert.parse(value, ExtendedKeyUsage)) {
          const usage = EXT_KEY_USAGES[oid];
          if (usage === undefined) unknown.push(oidArcs(oid));
          else known.push(usage);
        }
        fields.ExtKeyUsage = known.length === 0 ? null : known;
        fields.UnknownExtKeyUsage = unknown.length === 0 ? null : unknown;
        break;
      }
      case id_ce_basicConstraints: {
        const constraints = AsnConvert.parse(value, BasicConstraints);
        fields.BasicConstraintsValid = true;
        fields.IsCA = constraints.cA;
        fields.MaxPathLen = constraints.pathLenConstraint ?? -1;
        fields.MaxPathLenZero = constraints.pathLenConstraint === 0;
        break;
      }
      case id_ce_subjectKeyIdentifier:
        fields.SubjectKeyId = base64(AsnConvert.parse(value, SubjectKeyIdentifier).buffer);
        break;
      case id_ce_authorityKeyIdentifier: {
        const keyId = AsnConvert.parse(value, AuthorityKeyIdentifier).keyIdentifier;
        if (keyId !== undefined) fields.AuthorityKeyId = base64(keyId.buffer);
        break;
      }
      case id_ce_subjectAltName:
        Object.assign(fields, altNames(AsnConvert.parse(value, SubjectAlternativeName)));
        break;
      case id_pe_authorityInfoAccess:
        for (const access of AsnConvert.parse(value, AuthorityInfoAccessSyntax)) {
          const uri = access.accessLocation.uniformResourceIdentifier;
          if (uri === undefined) continue;
          if (access.accessMethod === id_ad_ocsp)
            fields.OCSPServer = push(fields.OCSPServer as string[] | null, uri);
          else if (access.accessMethod === id_ad_caIssuers)
            fields.IssuingCertificateURL = push(
              fields.IssuingCertificateURL as string[] | null,
              uri,
            );
        }
        break;
      case id_ce_cRLDistributionPoints:
        for (const point of AsnConvert.parse(value, CRLDistributionPoints)) {
          for (const name of point.distributionPoint?.fullName ?? []) {
            if (name.uniformResourceIdentifier !== undefined)
              fields.CRLDistributionPoints = push(
                fields.CRLDistributionPoints as string[] | null,
                name.uniformResourceIdentifier,
              );
          }
        }
        break;
      case id_ce_certificatePolicies: {
        const oids = [...AsnConvert.parse(value, CertificatePolicies)].map(
          (p) => p.policyIdentifier,
        );
        fields.PolicyIdentifiers = oids.map(oidArcs);
        fields.Policies = oids;
        break;
      }
      case id_ce_inhibitAnyPolicy: {
        const skip = skipCerts(AsnConvert.parse(value, InhibitAnyPolicy).value);
        fields.InhibitAnyPolicy = skip;
        fields.InhibitAnyPolicyZero = skip === 0;
        break;
      }
      case id_ce_policyConstraints: {
        const constraints = AsnConvert.parse(value, PolicyConstraints);
        if (constraints.requireExplicitPolicy !== undefined) {
          fields.RequireExplicitPolicy = skipCerts(constraints.requireExplicitPolicy);
          fields.RequireExplicitPolicyZero = fields.RequireExplicitPolicy === 0;
        }
        if (constraints.inhibitPolicyMapping !== undefined) {
          fields.InhibitPolicyMapping = skipCerts(constraints.inhibitPolicyMapping);
          fields.InhibitPolicyMappingZero = fields.InhibitPolicyMapping === 0;
        }
        break;
      }
      case id_ce_policyMappings:
        // Go's x509.OID marshals as its dotted text.
        fields.PolicyMappings = [...AsnConvert.parse(value, PolicyMappings)].map((m) => ({
          IssuerDomainPolicy: m.issuerDomainPolicy,
          SubjectDomainPolicy: m.subjectDomainPolicy,
        }));
        break;
      case id_ce_nameConstraints:
        Object.assign(fields, nameConstraintFields(AsnConvert.parse(value, NameConstraints)));
        fields.PermittedDNSDomainsCritical = extension.critical;
        break;
    }
  }
  return fields;
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
