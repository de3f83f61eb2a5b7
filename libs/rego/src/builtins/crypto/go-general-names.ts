/**
 * Subject alternative names (X.509 GeneralNames) in the members Go's `x509.Certificate`
 * and `x509.CertificateRequest` fill from them: `DNSNames`, `EmailAddresses`,
 * `IPAddresses` and `URIs` (Go's JSON of `*url.URL`, from the engine's Go URL parser),
 * with OPA's `URIStrings` beside them.
 */
import type { GeneralName } from '@peculiar/asn1-x509';
import { GoUrlError, parseGoUrl } from '../uri/go-url.js';
import { X509Error } from './x509-error.js';

/** What GeneralNames fill in Go's certificate types. */
export interface AltNames {
  DNSNames: string[] | null;
  EmailAddresses: string[] | null;
  IPAddresses: string[] | null;
  URIs: Record<string, unknown>[] | null;
  URIStrings: string[] | null;
}

function push<T>(list: T[] | null, item: T): T[] {
  return list === null ? [item] : [...list, item];
}

/** Go's JSON of the `*url.URL` Go's x509 parses a URI name into; Go refuses a certificate whose URI does not parse. */
function goUrl(text: string): Record<string, unknown> {
  try {
    const u = parseGoUrl(text);
    return {
      Scheme: u.scheme,
      Opaque: u.opaque,
      User: u.username === undefined ? null : {},
      Host: u.host,
      Path: u.path,
      RawPath: u.rawPath,
      OmitHost: false,
      ForceQuery: u.forceQuery,
      RawQuery: u.rawQuery,
      Fragment: u.fragment,
      RawFragment: '',
    };
  } catch (error) {
    if (error instanceof GoUrlError)
      throw new X509Error(`x509: cannot parse URI ${JSON.stringify(text)}: ${error.message}`);
    throw error;
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
