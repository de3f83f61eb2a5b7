/**
 * The members Go's `x509.Certificate` fills from the extensions it understands (key usage,
 * extended key usage, basic constraints, key identifiers, SANs, authority information
 * access, CRL distribution points, policies, policy constraints and mappings, name
 * constraints), and the raw `Extensions` list, in Go's JSON shape.
 */
import { AsnConvert } from '@peculiar/asn1-schema';
import {
  AuthorityInfoAccessSyntax,
  AuthorityKeyIdentifier,
  BasicConstraints,
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
import { altNames } from './go-general-names.js';
import { oidArcs } from './go-pkix-name.js';

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

function push<T>(list: T[] | null, item: T): T[] {
  return list === null ? [item] : [...list, item];
}

/** Go's JSON of a `pkix.Extension`. */
export function goExtension(extension: Extension): Record<string, unknown> {
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
export function extensionFields(extensions: readonly Extension[]): Record<string, unknown> {
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
