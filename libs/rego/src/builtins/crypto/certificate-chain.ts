/**
 * Verification of a certificate chain as OPA's `crypto.x509.parse_and_verify_certificates`
 * does it with Go's `Certificate.Verify`: the first certificate is the root, the last the
 * leaf, the others intermediates. A chain is built from the leaf up to the root where each
 * signature verifies (Node's X509Certificate) and each certificate is valid at the time;
 * intermediates must be CAs within their path length, the hostname (if asked) must match
 * the leaf, names must be within the CAs' name constraints, and every certificate must
 * allow the extended key usages asked for (server authentication by default, as in Go).
 */
import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import type { DescribeCertificate } from './certificate-cache.js';
import { goCertificate } from './go-certificate.js';
import { withinNameConstraints } from './name-constraints.js';
import { X509Error } from './x509-error.js';

/** Go's `ExtKeyUsageAny` and `ExtKeyUsageServerAuth`. */
const EXT_KEY_USAGE_ANY = 0;
const EXT_KEY_USAGE_SERVER_AUTH = 1;

export interface ChainOptions {
  /** The name the leaf must be valid for (`DNSName`); empty for any. */
  readonly dnsName: string;
  /** When the chain must be valid, in milliseconds since the epoch. */
  readonly currentTimeMs: number;
  /** Go's ExtKeyUsage numbers the chain must allow; empty means server authentication. */
  readonly keyUsages: readonly number[];
}

interface ChainCertificate {
  readonly der: Uint8Array;
  readonly node: X509Certificate;
  readonly go: Readonly<Record<string, unknown>>;
}

function load(der: Uint8Array, describe: DescribeCertificate): ChainCertificate {
  const go = describe(der);
  try {
    return { der, node: new X509Certificate(Buffer.from(der)), go };
  } catch {
    throw new X509Error('x509: malformed certificate');
  }
}

function validAt(c: ChainCertificate, timeMs: number): boolean {
  return Date.parse(c.node.validFrom) <= timeMs && timeMs <= Date.parse(c.node.validTo);
}

function issuedBy(child: ChainCertificate, parent: ChainCertificate): boolean {
  try {
    return child.node.checkIssued(parent.node) && child.node.verify(parent.node.publicKey);
  } catch {
    return false;
  }
}

/**
 * Go's `isValid` for a CA above `chain`: an intermediate must be a CA; path lengths hold;
 * the names of every certificate below are within the CA's name constraints.
 */
function mayIssue(parent: ChainCertificate, chain: readonly ChainCertificate[], isRoot: boolean) {
  const { BasicConstraintsValid, IsCA, MaxPathLen } = parent.go as {
    BasicConstraintsValid: boolean;
    IsCA: boolean;
    MaxPathLen: number;
  };
  if (!isRoot && !(BasicConstraintsValid && IsCA)) return false;
  if (BasicConstraintsValid && MaxPathLen >= 0 && chain.length - 1 > MaxPathLen) return false;
  return chain.every((below) => withinNameConstraints(parent.go, below.go));
}

/** Go's `checkChainForKeyUsage`: each certificate with extended key usages must allow one asked for. */
function allowsKeyUsages(chain: readonly ChainCertificate[], asked: readonly number[]): boolean {
  let usages = asked.length === 0 ? [EXT_KEY_USAGE_SERVER_AUTH] : [...asked];
  if (usages.includes(EXT_KEY_USAGE_ANY)) return true;
  for (const c of [...chain].reverse()) {
    const known = (c.go.ExtKeyUsage as number[] | null) ?? [];
    const unknown = (c.go.UnknownExtKeyUsage as unknown[] | null) ?? [];
    if (known.length === 0 && unknown.length === 0) continue;
    if (known.includes(EXT_KEY_USAGE_ANY)) continue;
    usages = usages.filter((usage) => known.includes(usage));
    if (usages.length === 0) return false;
  }
  return true;
}

function hostMatches(leaf: ChainCertificate, name: string): boolean {
  if (isIP(name) !== 0) return leaf.node.checkIP(name) !== undefined;
  return leaf.node.checkHost(name, { subject: 'never' }) !== undefined;
}

/**
 * The verified chain from leaf to root, as DER; throws `X509Error` when there is none.
 * `ders` is root first, leaf last; `describe` reads a certificate's fields (Go's JSON).
 */
export function verifyChain(
  ders: readonly Uint8Array[],
  options: ChainOptions,
  describe: DescribeCertificate = goCertificate,
): Uint8Array[] {
  if (ders.length < 2)
    throw new X509Error('must supply at least two certificates to be able to verify');
  const certificates = ders.map((der) => load(der, describe));
  const root = certificates[0] as ChainCertificate;
  const leaf = certificates.at(-1) as ChainCertificate;
  const intermediates = certificates.slice(1, -1);
  if (!validAt(leaf, options.currentTimeMs))
    throw new X509Error('x509: certificate has expired or is not yet valid');
  if (options.dnsName !== '' && !hostMatches(leaf, options.dnsName))
    throw new X509Error(`x509: certificate is not valid for ${options.dnsName}`);

  const build = (chain: ChainCertificate[]): ChainCertificate[] | undefined => {
    const current = chain.at(-1) as ChainCertificate;
    if (issuedBy(current, root) && validAt(root, options.currentTimeMs)) {
      const full = [...chain, root];
      if (mayIssue(root, chain, true) && allowsKeyUsages(full, options.keyUsages)) return full;
    }
    for (const parent of intermediates) {
      if (chain.includes(parent) || !issuedBy(current, parent)) continue;
      if (!validAt(parent, options.currentTimeMs) || !mayIssue(parent, chain, false)) continue;
      const found = build([...chain, parent]);
      if (found !== undefined) return found;
    }
    return undefined;
  };
  const chain = build([leaf]);
  if (chain === undefined) throw new X509Error('x509: certificate signed by unknown authority');
  return chain.map((c) => c.der);
}
