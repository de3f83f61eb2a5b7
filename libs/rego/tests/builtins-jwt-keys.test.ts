import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { call, callError } from './builtin-harness.js';
import { evalIn } from './evaluator-harness.js';

// Tokens are signed here with Node's crypto directly, so the builtins are checked against
// signatures they did not make themselves; keys are made at test time.

const b64url = (bytes: Uint8Array | string) => Buffer.from(bytes).toString('base64url');

const DIGEST = { RS256: 'sha256', PS256: 'sha256', ES256: 'sha256', EdDSA: null } as const;

function signToken(
  alg: keyof typeof DIGEST,
  privateKey: KeyObject,
  claims: object,
  extraHeader: object = {},
): string {
  const input = `${b64url(JSON.stringify({ alg, typ: 'JWT', ...extraHeader }))}.${b64url(JSON.stringify(claims))}`;
  const options =
    alg === 'PS256'
      ? { key: privateKey, padding: 6, saltLength: 32 }
      : alg === 'ES256'
        ? { key: privateKey, dsaEncoding: 'ieee-p1363' as const }
        : privateKey;
  return `${input}.${b64url(sign(DIGEST[alg], Buffer.from(input), options))}`;
}

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const otherRsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const ed = generateKeyPairSync('ed25519');

const pem = (key: KeyObject) => key.export({ type: 'spki', format: 'pem' }).toString();
const jwk = (key: KeyObject, extra: object = {}) => ({
  ...key.export({ format: 'jwk' }),
  ...extra,
});
const jwks = (...keys: object[]) => JSON.stringify({ keys });

const claims = { sub: 'alice', iss: 'issuer', aud: 'api', exp: 4_000_000_000 };

describe('io.jwt.verify_* with public keys', () => {
  const token = signToken('RS256', rsa.privateKey, claims);

  it('verifies an RS256 token with the PEM public key and with a JWK set', () => {
    expect(call('io.jwt.verify_rs256', token, pem(rsa.publicKey))).toBe(true);
    expect(call('io.jwt.verify_rs256', token, jwks(jwk(rsa.publicKey)))).toBe(true);
    expect(call('io.jwt.verify_rs256', token, JSON.stringify(jwk(rsa.publicKey)))).toBe(true);
  });

  it('rejects a tampered payload and a signature by another key', () => {
    const [h, , s] = token.split('.');
    const tampered = `${h}.${b64url(JSON.stringify({ ...claims, sub: 'mallory' }))}.${s}`;
    expect(call('io.jwt.verify_rs256', tampered, pem(rsa.publicKey))).toBe(false);
    expect(call('io.jwt.verify_rs256', token, pem(otherRsa.publicKey))).toBe(false);
  });

  it('is false when the key or the builtin is for another algorithm', () => {
    expect(call('io.jwt.verify_rs256', token, pem(ec.publicKey))).toBe(false);
    expect(call('io.jwt.verify_ps256', token, pem(rsa.publicKey))).toBe(false);
    expect(call('io.jwt.verify_rs384', token, pem(rsa.publicKey))).toBe(false);
    // A JWK that names another algorithm is not tried.
    expect(call('io.jwt.verify_rs256', token, jwks(jwk(rsa.publicKey, { alg: 'RS512' })))).toBe(
      false,
    );
  });

  it('verifies PS256, ES256 and EdDSA tokens', () => {
    expect(
      call('io.jwt.verify_ps256', signToken('PS256', rsa.privateKey, claims), pem(rsa.publicKey)),
    ).toBe(true);
    const es = signToken('ES256', ec.privateKey, claims);
    expect(call('io.jwt.verify_es256', es, pem(ec.publicKey))).toBe(true);
    expect(call('io.jwt.verify_es256', es, jwks(jwk(ec.publicKey)))).toBe(true);
    expect(call('io.jwt.verify_es256', es, pem(rsa.publicKey))).toBe(false);
    const [h, p] = es.split('.');
    expect(call('io.jwt.verify_es256', `${h}.${p}.${b64url('short')}`, pem(ec.publicKey))).toBe(
      false,
    );
    const eddsa = signToken('EdDSA', ed.privateKey, claims);
    expect(call('io.jwt.verify_eddsa', eddsa, pem(ed.publicKey))).toBe(true);
    expect(call('io.jwt.verify_eddsa', eddsa, jwks(jwk(ed.publicKey)))).toBe(true);
    expect(call('io.jwt.verify_eddsa', eddsa, pem(generateKeyPairSync('ed25519').publicKey))).toBe(
      false,
    );
  });

  it('uses the key the header names by kid, and only that one', () => {
    const withKid = signToken('RS256', rsa.privateKey, claims, { kid: 'b' });
    const set = jwks(jwk(otherRsa.publicKey, { kid: 'a' }), jwk(rsa.publicKey, { kid: 'b' }));
    expect(call('io.jwt.verify_rs256', withKid, set)).toBe(true);
    const wrongKid = jwks(jwk(rsa.publicKey, { kid: 'a' }), jwk(otherRsa.publicKey, { kid: 'b' }));
    expect(call('io.jwt.verify_rs256', withKid, wrongKid)).toBe(false);
  });

  it('reports key text it cannot read, as OPA words it', () => {
    expect(callError('io.jwt.verify_rs256', token, 'not a key')).toMatch(
      /^io\.jwt\.verify_rs256: failed to parse a JWK key \(set\)/,
    );
    expect(callError('io.jwt.verify_rs256', token, `${pem(rsa.publicKey)}trailing`)).toBe(
      'io.jwt.verify_rs256: extra data after a PEM certificate block',
    );
    expect(callError('io.jwt.verify_rs256', 'abc', pem(rsa.publicKey))).toBe(
      'io.jwt.verify_rs256: encoded JWT had no period separators',
    );
    expect(callError('io.jwt.verify_rs256', token, '{"kty": "RSA", "n": 5}')).toMatch(
      /^io\.jwt\.verify_rs256: failed to parse a JWK key \(set\): failed to import RSA key/,
    );
    expect(callError('io.jwt.verify_rs256', token, '{"kty": "XYZ"}')).toMatch(/invalid key type/);
  });
});

describe('io.jwt.decode_verify with a cert constraint', () => {
  const token = signToken('ES256', ec.privateKey, claims);

  it('verifies the signature and the claims', () => {
    const cert = pem(ec.publicKey);
    expect(call('io.jwt.decode_verify', token, { cert, iss: 'issuer', aud: 'api' })).toEqual([
      true,
      { alg: 'ES256', typ: 'JWT' },
      claims,
    ]);
    expect(call('io.jwt.decode_verify', token, { cert, aud: 'other' })).toEqual([false, {}, {}]);
    expect(call('io.jwt.decode_verify', token, { cert, alg: 'RS256' })).toEqual([false, {}, {}]);
    expect(call('io.jwt.decode_verify', token, { cert: pem(rsa.publicKey) })).toEqual([
      false,
      {},
      {},
    ]);
  });

  it('refuses both a cert and a secret, and neither', () => {
    expect(callError('io.jwt.decode_verify', token, { cert: pem(ec.publicKey), secret: 'x' })).toBe(
      'io.jwt.decode_verify: duplicate key constraints',
    );
    expect(callError('io.jwt.decode_verify', token, { aud: 'api' })).toBe(
      'io.jwt.decode_verify: no key constraint',
    );
  });
});

describe('io.jwt.encode_sign', () => {
  it('signs with a private JWK so that the verify builtins and Node accept the token', () => {
    for (const [alg, pair, verify] of [
      ['RS256', rsa, 'io.jwt.verify_rs256'],
      ['PS256', rsa, 'io.jwt.verify_ps256'],
      ['ES256', ec, 'io.jwt.verify_es256'],
      ['EdDSA', ed, 'io.jwt.verify_eddsa'],
    ] as const) {
      const token = call('io.jwt.encode_sign', { alg }, claims, jwk(pair.privateKey)) as string;
      expect(call(verify, token, pem(pair.publicKey))).toBe(true);
      expect(call('io.jwt.decode', token)).toEqual([
        { alg },
        claims,
        expect.stringMatching(/^[0-9a-f]+$/),
      ]);
    }
  });

  it('signs HS256 with an oct key as a secret the HMAC builtin accepts', () => {
    const token = call(
      'io.jwt.encode_sign',
      { alg: 'HS256', typ: 'JWT' },
      { sub: 'x' },
      { kty: 'oct', k: b64url('s3cret') },
    ) as string;
    expect(call('io.jwt.verify_hs256', token, 's3cret')).toBe(true);
  });

  it('refuses a key that cannot sign with the header algorithm', () => {
    expect(callError('io.jwt.encode_sign', { alg: 'RS256' }, claims, jwk(ec.privateKey))).toMatch(
      /^io\.jwt\.encode_sign: the key cannot sign with RS256/,
    );
    expect(callError('io.jwt.encode_sign', { alg: 'RS256' }, claims, jwk(rsa.publicKey))).toMatch(
      /cannot sign/,
    );
    expect(callError('io.jwt.encode_sign', { alg: 'none' }, claims, jwk(rsa.privateKey))).toBe(
      'io.jwt.encode_sign: unknown JWS algorithm: none',
    );
  });
});

describe('a policy checking an RS256 bearer token against a JWK set in data', () => {
  const policy = `
allow if {
  [valid, _, claims] := io.jwt.decode_verify(input.token, {"cert": json.marshal(data.jwks), "aud": "api", "time": input.now})
  valid
  claims.sub == "alice"
}`;
  const jwksData = {
    keys: [jwk(otherRsa.publicKey, { kid: 'old' }), jwk(rsa.publicKey, { kid: 'current' })],
  };
  const now = 1_800_000_000 * 1e9;

  it('allows a token signed by a key of the set, and only that', () => {
    const good = signToken('RS256', rsa.privateKey, claims, { kid: 'current' });
    expect(evalIn(policy, 'allow', { token: good, now }, { jwks: jwksData })).toBe(true);
    const forged = signToken(
      'RS256',
      generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey,
      claims,
    );
    expect(evalIn(policy, 'allow', { token: forged, now }, { jwks: jwksData })).toBeUndefined();
    const expired = signToken('RS256', rsa.privateKey, { ...claims, exp: 1_700_000_000 });
    expect(evalIn(policy, 'allow', { token: expired, now }, { jwks: jwksData })).toBeUndefined();
  });
});
