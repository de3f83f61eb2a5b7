/**
 * A distinguished name in the JSON shape of Go's `pkix.Name`, which OPA's x509 builtins
 * return: the well-known attributes in their own members (`CommonName`, `Organization`, …),
 * every attribute in `Names` with its OID as an array of integers.
 */
import type { Name } from '@peculiar/asn1-x509';

/** Go's JSON of an ASN.1 OID (`asn1.ObjectIdentifier`): its arcs as numbers. */
export function oidArcs(oid: string): number[] {
  return oid.split('.').map(Number);
}

/** The pkix.Name member a `2.5.4.x` attribute fills, and whether it holds a list. */
const ATTRIBUTES: Readonly<Record<string, readonly [string, boolean]>> = {
  '2.5.4.3': ['CommonName', false],
  '2.5.4.5': ['SerialNumber', false],
  '2.5.4.6': ['Country', true],
  '2.5.4.7': ['Locality', true],
  '2.5.4.8': ['Province', true],
  '2.5.4.9': ['StreetAddress', true],
  '2.5.4.10': ['Organization', true],
  '2.5.4.11': ['OrganizationalUnit', true],
  '2.5.4.17': ['PostalCode', true],
};

export function goPkixName(name: Name): Record<string, unknown> {
  const lists: Record<string, string[] | null> = {
    Country: null,
    Organization: null,
    OrganizationalUnit: null,
    Locality: null,
    Province: null,
    StreetAddress: null,
    PostalCode: null,
  };
  const single: Record<string, string> = { SerialNumber: '', CommonName: '' };
  const names: { Type: number[]; Value: string }[] = [];
  for (const rdn of name) {
    for (const attribute of rdn) {
      const value = attribute.value.toString();
      names.push({ Type: oidArcs(attribute.type), Value: value });
      const member = ATTRIBUTES[attribute.type];
      if (member === undefined) continue;
      const [field, isList] = member;
      if (isList) lists[field] = [...(lists[field] ?? []), value];
      else single[field] = value;
    }
  }
  return { ...lists, ...single, Names: names.length === 0 ? null : names, ExtraNames: null };
}
