/**
 * X.509 name constraints (RFC 5280 §4.2.1.10) as Go's `Certificate.Verify` applies them: a
 * CA's permitted and excluded DNS domains, IP ranges, e-mail addresses and URI domains
 * bound the subject alternative names of every certificate below it in the chain. A name
 * must match no excluded constraint and, when its kind has permitted ones, one of them.
 */
import { BlockList, isIP } from 'node:net';

type GoRecord = Readonly<Record<string, unknown>>;

function list<T>(record: GoRecord, member: string): readonly T[] {
  return (record[member] as T[] | null | undefined) ?? [];
}

/**
 * Go's `matchDomainConstraint`: `example.test` matches itself and its subdomains,
 * `.example.test` only its subdomains, the empty constraint everything.
 */
function domainMatches(domain: string, constraint: string): boolean {
  if (constraint === '') return true;
  const name = domain.toLowerCase();
  const wanted = constraint.toLowerCase();
  if (wanted.startsWith('.')) return name.endsWith(wanted) && name.length > wanted.length;
  return name === wanted || name.endsWith(`.${wanted}`);
}

/** A mailbox constraint (`a@b`) matches exactly; a domain one as a domain of the address. */
function emailMatches(email: string, constraint: string): boolean {
  const at = email.lastIndexOf('@');
  if (at < 0) return false;
  if (constraint.includes('@')) {
    const c = constraint.lastIndexOf('@');
    return (
      email.slice(0, at) === constraint.slice(0, c) &&
      email.slice(at + 1).toLowerCase() === constraint.slice(c + 1).toLowerCase()
    );
  }
  return domainMatches(email.slice(at + 1), constraint);
}

/** Whether an address lies in a Go `IPNet` (`{IP, Mask}` with the mask's bytes in base64). */
function ipMatches(ip: string, net: { IP: string; Mask: string }): boolean {
  const family = isIP(ip) === 6 ? 'ipv6' : 'ipv4';
  if ((isIP(net.IP) === 6 ? 'ipv6' : 'ipv4') !== family) return false;
  const prefix = [...Buffer.from(net.Mask, 'base64')].reduce(
    (bits, byte) => bits + byte.toString(2).replaceAll('0', '').length,
    0,
  );
  const block = new BlockList();
  block.addSubnet(net.IP, prefix, family);
  return block.check(ip, family);
}

/** The host of a URI, or undefined when it has none or it is an IP address (Go refuses those). */
function uriHost(uri: string): string | undefined {
  const host = /^[^:/?#]+:\/\/(?:[^@/?#]*@)?([^/?#:]*)/.exec(uri)?.[1];
  if (host === undefined || host === '' || isIP(host) !== 0 || host.startsWith('['))
    return undefined;
  return host;
}

function allowed<N, C>(
  names: readonly N[],
  permitted: readonly C[],
  excluded: readonly C[],
  matches: (name: N, constraint: C) => boolean,
): boolean {
  return names.every(
    (name) =>
      !excluded.some((c) => matches(name, c)) &&
      (permitted.length === 0 || permitted.some((c) => matches(name, c))),
  );
}

/** Whether the names of `subject` (Go's certificate JSON) are within `ca`'s name constraints. */
export function withinNameConstraints(ca: GoRecord, subject: GoRecord): boolean {
  const uris = list<string>(subject, 'URIStrings');
  const hosts = uris.map(uriHost);
  const uriConstrained =
    list(ca, 'PermittedURIDomains').length > 0 || list(ca, 'ExcludedURIDomains').length > 0;
  if (uriConstrained && hosts.includes(undefined)) return false;
  return (
    allowed(
      list<string>(subject, 'DNSNames'),
      list<string>(ca, 'PermittedDNSDomains'),
      list<string>(ca, 'ExcludedDNSDomains'),
      domainMatches,
    ) &&
    allowed(
      list<string>(subject, 'EmailAddresses'),
      list<string>(ca, 'PermittedEmailAddresses'),
      list<string>(ca, 'ExcludedEmailAddresses'),
      emailMatches,
    ) &&
    allowed(
      list<string>(subject, 'IPAddresses'),
      list<{ IP: string; Mask: string }>(ca, 'PermittedIPRanges'),
      list<{ IP: string; Mask: string }>(ca, 'ExcludedIPRanges'),
      ipMatches,
    ) &&
    allowed(
      hosts.filter((h): h is string => h !== undefined),
      list<string>(ca, 'PermittedURIDomains'),
      list<string>(ca, 'ExcludedURIDomains'),
      domainMatches,
    )
  );
}
