import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { withinNameConstraints } from '../src/builtins/crypto/name-constraints.js';
import { toJs } from '../src/value/index.js';
import { call, callError, callValue, testContext } from './builtin-harness.js';

// Certificates made with OpenSSL (tests/fixtures/x509/README.md): root → intermediate → leaf.
const fixture = (name: string) =>
  readFileSync(new URL(`fixtures/x509/${name}`, import.meta.url), 'utf8');
const root = fixture('root.pem');
const intermediate = fixture('intermediate.pem');
const leaf = fixture('leaf.pem');
const chain = root + intermediate + leaf;

/** 2030-01-01T00:00:00Z, inside every fixture's validity. */
const IN_2030_NS = 1_893_456_000_000_000_000n;
const at2030 = testContext({ nowNs: IN_2030_NS });

type GoCertificate = Record<string, unknown> & {
  Subject: Record<string, unknown>;
  Issuer: Record<string, unknown>;
};

describe('crypto.x509.parse_certificates', () => {
  it("gives a self-made certificate's fields with Go's x509.Certificate names and values", () => {
    const [cert] = call('crypto.x509.parse_certificates', leaf) as GoCertificate[];
    const node = new X509Certificate(leaf);
    expect(cert?.Subject).toEqual({
      Country: ['GB'],
      Organization: ['Rego Test'],
      OrganizationalUnit: ['Engine'],
      Locality: ['London'],
      Province: ['London'],
      StreetAddress: null,
      PostalCode: null,
      SerialNumber: '',
      CommonName: 'service.example.test',
      Names: [
        { Type: [2, 5, 4, 6], Value: 'GB' },
        { Type: [2, 5, 4, 8], Value: 'London' },
        { Type: [2, 5, 4, 7], Value: 'London' },
        { Type: [2, 5, 4, 10], Value: 'Rego Test' },
        { Type: [2, 5, 4, 11], Value: 'Engine' },
        { Type: [2, 5, 4, 3], Value: 'service.example.test' },
      ],
      ExtraNames: null,
    });
    expect(cert?.Issuer.CommonName).toBe('Rego Test Intermediate');
    expect(cert).toMatchObject({
      Version: 3,
      SerialNumber: BigInt(`0x${node.serialNumber}`),
      SignatureAlgorithm: 4, // SHA256WithRSA
      PublicKeyAlgorithm: 1, // RSA
      KeyUsage: 5, // DigitalSignature | KeyEncipherment
      ExtKeyUsage: [1, 2], // ServerAuth, ClientAuth
      BasicConstraintsValid: true,
      IsCA: false,
      MaxPathLen: -1,
      InhibitAnyPolicy: 0,
      RequireExplicitPolicyZero: false,
      PolicyMappings: null,
      DNSNames: ['service.example.test', 'www.example.test'],
      EmailAddresses: ['ops@example.test'],
      IPAddresses: ['192.0.2.10'],
      URIStrings: ['spiffe://example.test/service'],
      NotBefore: new Date(node.validFrom).toISOString().replace('.000Z', 'Z'),
      Raw: node.raw.toString('base64'),
    });
    const jwk = node.publicKey.export({ format: 'jwk' });
    expect(cert?.PublicKey).toEqual({
      N: BigInt(`0x${Buffer.from(jwk.n ?? '', 'base64url').toString('hex')}`),
      E: 65537,
    });
    expect((cert?.URIs as Record<string, unknown>[] | undefined)?.[0]).toMatchObject({
      Scheme: 'spiffe',
      Host: 'example.test',
      Path: '/service',
    });
  });

  it('reads every certificate of a PEM chain, of base64 PEM and of base64 DER', () => {
    const names = (text: string) =>
      (call('crypto.x509.parse_certificates', text) as GoCertificate[]).map(
        (c) => c.Subject.CommonName,
      );
    expect(names(chain)).toEqual([
      'Rego Test Root',
      'Rego Test Intermediate',
      'service.example.test',
    ]);
    expect(names(Buffer.from(chain).toString('base64'))).toHaveLength(3);
    const der = new X509Certificate(root).raw.toString('base64');
    expect(names(der)).toEqual(['Rego Test Root']);
    const [ca] = call('crypto.x509.parse_certificates', intermediate) as GoCertificate[];
    expect(ca).toMatchObject({ IsCA: true, MaxPathLen: 0, MaxPathLenZero: true, KeyUsage: 96 });
  });

  it('fails as OPA does on data that is not a certificate', () => {
    expect(callError('crypto.x509.parse_certificates', 'YmFkc3RyaW5n')).toBe(
      'crypto.x509.parse_certificates: x509: malformed certificate',
    );
    expect(callError('crypto.x509.parse_certificates', fixture('leaf-key.pem'))).toBe(
      "crypto.x509.parse_certificates: PEM block type is 'PRIVATE KEY', expected CERTIFICATE",
    );
    expect(callError('crypto.x509.parse_certificates', 'not base64!')).toMatch(
      /illegal base64 data at input byte 3/,
    );
  });
});

describe('crypto.x509.parse_and_verify_certificates', () => {
  const verify = (text: string, context = at2030) =>
    toJs(
      callValue('crypto.x509.parse_and_verify_certificates', [text], context) ?? { kind: 'null' },
    );

  it('verifies root, intermediate and leaf, returning the chain from the leaf up', () => {
    const [valid, certs] = verify(chain) as [boolean, GoCertificate[]];
    expect(valid).toBe(true);
    expect(certs.map((c) => c.Subject.CommonName)).toEqual([
      'service.example.test',
      'Rego Test Intermediate',
      'Rego Test Root',
    ]);
  });

  it('is [false, []] for a broken chain, one certificate, or a time outside validity', () => {
    expect(verify(root + leaf)).toEqual([false, []]);
    expect(verify(leaf + intermediate + root)).toEqual([false, []]);
    // As in Go, the first certificate is trusted as it is: the intermediate may serve as root.
    expect((verify(intermediate + leaf) as [boolean])[0]).toBe(true);
    expect(verify(leaf)).toEqual([false, []]);
    expect(verify(chain, testContext({ nowNs: 1_700_000_000_000_000_000n }))).toEqual([false, []]);
    expect(verify('YmFkc3RyaW5n')).toEqual([false, []]);
  });

  it('applies the options: DNSName, KeyUsages and CurrentTime', () => {
    const withOptions = (options: object) =>
      toJs(
        callValue('crypto.x509.parse_and_verify_certificates_with_options', [chain, options]) ?? {
          kind: 'null',
        },
      ) as [boolean, GoCertificate[]];
    const time = { CurrentTime: IN_2030_NS };
    expect(withOptions({ ...time, DNSName: 'www.example.test' })[0]).toBe(true);
    expect(withOptions({ ...time, DNSName: 'other.example.test' })[0]).toBe(false);
    expect(withOptions({ ...time, KeyUsages: ['KeyUsageClientAuth'] })[0]).toBe(true);
    expect(withOptions({ ...time, KeyUsages: ['KeyUsageCodeSigning'] })[0]).toBe(false);
    expect(withOptions({ ...time, KeyUsages: ['KeyUsageAny'] })[0]).toBe(true);
    // The harness clock (2023) is before the fixtures' validity.
    expect(withOptions({})[0]).toBe(false);
    // As in OPA, these results lack the URIStrings parse_certificates adds.
    expect(withOptions(time)[1][0]).not.toHaveProperty('URIStrings');
    expect(
      callError('crypto.x509.parse_and_verify_certificates_with_options', chain, {
        KeyUsages: ['KeyUsageNothing'],
      }),
    ).toBe(
      "crypto.x509.parse_and_verify_certificates_with_options: invalid entries for 'KeyUsages' found: [KeyUsageNothing]",
    );
    expect(
      callError('crypto.x509.parse_and_verify_certificates_with_options', chain, { Other: 1 }),
    ).toBe('crypto.x509.parse_and_verify_certificates_with_options: invalid key option');
  });
});

describe('name constraints', () => {
  const constrained = fixture('constrained-root.pem');
  const verify = (leafPem: string) =>
    (
      toJs(
        callValue('crypto.x509.parse_and_verify_certificates', [constrained + leafPem], at2030) ?? {
          kind: 'null',
        },
      ) as [boolean]
    )[0];

  it("gives a CA's permitted and excluded names in Go's members", () => {
    const [ca] = call('crypto.x509.parse_certificates', constrained) as GoCertificate[];
    expect(ca).toMatchObject({
      PermittedDNSDomainsCritical: true,
      PermittedDNSDomains: ['example.test'],
      ExcludedDNSDomains: ['bad.example.test'],
      PermittedIPRanges: [{ IP: '192.0.2.0', Mask: '////AA==' }],
      ExcludedIPRanges: null,
    });
  });

  it.each([
    {
      note: 'a domain constraint admits the domain itself',
      dns: 'example.test',
      c: 'example.test',
      ok: true,
    },
    { note: 'and its subdomains', dns: 'a.b.example.test', c: 'example.test', ok: true },
    {
      note: 'but not a name that only ends alike',
      dns: 'badexample.test',
      c: 'example.test',
      ok: false,
    },
    {
      note: 'a leading dot admits subdomains only',
      dns: 'example.test',
      c: '.example.test',
      ok: false,
    },
    {
      note: 'a leading dot admits a subdomain',
      dns: 'a.example.test',
      c: '.example.test',
      ok: true,
    },
    { note: 'names compare without case', dns: 'API.Example.TEST', c: 'example.test', ok: true },
  ])('$note', ({ dns, c, ok }) => {
    const ca = { PermittedDNSDomains: [c], ExcludedDNSDomains: null };
    expect(withinNameConstraints(ca, { DNSNames: [dns] })).toBe(ok);
  });

  it('applies e-mail, IP and URI constraints, and excluded ones before permitted ones', () => {
    const ca = {
      PermittedEmailAddresses: ['example.test'],
      ExcludedEmailAddresses: ['boss@example.test'],
      PermittedIPRanges: [{ IP: '10.0.0.0', Mask: '/wAAAA==' }],
      PermittedURIDomains: ['.example.test'],
    };
    expect(withinNameConstraints(ca, { EmailAddresses: ['ops@example.test'] })).toBe(true);
    expect(withinNameConstraints(ca, { EmailAddresses: ['boss@example.test'] })).toBe(false);
    expect(withinNameConstraints(ca, { IPAddresses: ['10.9.8.7'] })).toBe(true);
    expect(withinNameConstraints(ca, { IPAddresses: ['11.0.0.1'] })).toBe(false);
    expect(withinNameConstraints(ca, { URIStrings: ['https://svc.example.test/x'] })).toBe(true);
    expect(withinNameConstraints(ca, { URIStrings: ['https://example.org/'] })).toBe(false);
    // Go cannot check a URI whose host is an IP address against URI constraints.
    expect(withinNameConstraints(ca, { URIStrings: ['https://10.0.0.1/'] })).toBe(false);
  });

  it('verifies a leaf within the constraints and refuses one with an excluded name', () => {
    expect(verify(fixture('constrained-leaf-ok.pem'))).toBe(true);
    expect(verify(fixture('constrained-leaf-bad.pem'))).toBe(false);
  });
});

describe('crypto.x509.parse_certificate_request', () => {
  it('gives the subject, names and key of a PKCS #10 request', () => {
    const csr = call('crypto.x509.parse_certificate_request', fixture('leaf.csr')) as GoCertificate;
    expect(csr.Subject.CommonName).toBe('service.example.test');
    expect(csr).toMatchObject({
      Version: 0,
      SignatureAlgorithm: 4,
      PublicKeyAlgorithm: 1,
      DNSNames: ['service.example.test', 'www.example.test'],
      EmailAddresses: ['ops@example.test'],
      IPAddresses: ['192.0.2.10'],
    });
    const [leafCert] = call('crypto.x509.parse_certificates', leaf) as GoCertificate[];
    expect(csr.PublicKey).toEqual(leafCert?.PublicKey);
  });

  it('refuses other PEM blocks and bad base64', () => {
    expect(callError('crypto.x509.parse_certificate_request', 'foobar')).toMatch(/illegal base64/);
    expect(
      callError('crypto.x509.parse_certificate_request', Buffer.from(leaf).toString('base64')),
    ).toBe(
      'crypto.x509.parse_certificate_request: invalid PEM-encoded certificate signing request',
    );
  });
});

describe('keys: parse_keypair, parse_rsa_private_key, parse_private_keys', () => {
  it('pairs a certificate with its key, and refuses a key that does not match', () => {
    const pair = call('crypto.x509.parse_keypair', leaf, fixture('leaf-key.pem')) as {
      Certificate: string[];
      Leaf: GoCertificate;
    };
    expect(pair.Certificate).toEqual([new X509Certificate(leaf).raw.toString('base64')]);
    expect(pair.Leaf.Subject.CommonName).toBe('service.example.test');
    expect(callError('crypto.x509.parse_keypair', leaf, fixture('ec-key.pem'))).toBe(
      'crypto.x509.parse_keypair: tls: private key type does not match public key type',
    );
  });

  it('gives an RSA private key as a JWK, from PKCS #1 and from PKCS #8', () => {
    const pkcs1 = call('crypto.x509.parse_rsa_private_key', fixture('leaf-rsa-key.pem'));
    const pkcs8 = call('crypto.x509.parse_rsa_private_key', fixture('leaf-key.pem'));
    expect(pkcs1).toEqual(pkcs8);
    expect(Object.keys(pkcs1 as object).sort()).toEqual(
      ['d', 'dp', 'dq', 'e', 'kty', 'n', 'p', 'q', 'qi'].sort(),
    );
    expect(callError('crypto.x509.parse_rsa_private_key', 'invalid')).toMatch(/illegal base64/);
  });

  it('lists every private key of the PEM in Go JSON shape', () => {
    const keys = call(
      'crypto.parse_private_keys',
      fixture('leaf-rsa-key.pem') + fixture('ec-key.pem'),
    ) as Record<string, unknown>[];
    expect(keys.map((k) => Object.keys(k).sort())).toEqual([
      ['D', 'E', 'N', 'Precomputed', 'Primes'],
      ['Curve', 'D', 'X', 'Y'],
    ]);
    expect(call('crypto.parse_private_keys', '')).toBeNull();
    expect(call('crypto.parse_private_keys', 'no PEM here')).toEqual([]);
  });
});

describe('damaged input', () => {
  it('is an error of the builtin, never a crash, for truncated or altered DER', () => {
    const der = new X509Certificate(leaf).raw;
    const damaged: Buffer[] = [];
    for (let cut = 1; cut < der.length; cut += 97) damaged.push(der.subarray(0, cut));
    for (let at = 0; at < der.length; at += 53) {
      const copy = Buffer.from(der);
      copy[at] = (copy[at] ?? 0) ^ 0xff;
      damaged.push(copy);
    }
    for (const bytes of damaged) {
      const text = bytes.toString('base64');
      for (const name of [
        'crypto.x509.parse_certificates',
        'crypto.x509.parse_certificate_request',
        'crypto.x509.parse_rsa_private_key',
        'crypto.parse_private_keys',
      ]) {
        try {
          callValue(name, [text]);
        } catch (error) {
          expect((error as Error).message.startsWith(`${name}: `)).toBe(true);
        }
      }
      const verified = callValue(
        'crypto.x509.parse_and_verify_certificates',
        [root + intermediate + `-----BEGIN CERTIFICATE-----\n${text}\n-----END CERTIFICATE-----\n`],
        at2030,
      );
      expect(toJs(verified ?? { kind: 'null' })).toEqual([false, []]);
    }
  });
});
