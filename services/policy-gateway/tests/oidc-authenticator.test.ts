/**
 * OIDC bearer tokens against a real identity provider (`oidc-provider`, started by the test):
 * what is accepted, what is refused (signature, issuer, audience, expiry, algorithm
 * confusion), key rotation, and how the roles claim becomes roles.
 */
import { createHmac } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  OidcAuthenticator,
  type OidcAuthenticatorOptions,
} from '../src/auth/oidc-authenticator.js';
import type { OidcSettings } from '../src/auth/oidc-settings.js';
import { type OidcTestProvider, startOidcTestProvider } from './support/oidc-test-provider.js';

const AUDIENCE = 'https://gateway.test';
const SKEW = 30;
let idp: OidcTestProvider;
let otherIdp: OidcTestProvider;

beforeAll(async () => {
  const serviceClients = {
    'batch-job': { roles: ['evaluator'] },
    'ops-job': { roles: ['admin', 'superuser', 'gw-readers'] },
    'no-roles-job': { roles: [] },
  };
  [idp, otherIdp] = await Promise.all([
    startOidcTestProvider({ audience: AUDIENCE, rolesClaim: 'realm_access.roles', serviceClients }),
    startOidcTestProvider({ audience: AUDIENCE, rolesClaim: 'realm_access.roles', serviceClients }),
  ]);
});

afterAll(async () => {
  await Promise.all([idp?.close(), otherIdp?.close()]);
});

function settingsFor(overrides: Partial<OidcSettings> = {}) {
  return {
    issuer: idp.issuer,
    audience: AUDIENCE,
    jwksUrl: undefined,
    jwksCacheSeconds: 600,
    rolesClaim: 'realm_access.roles',
    roleMap: undefined,
    clockSkewSeconds: SKEW,
    workbenchClientId: undefined,
    ...overrides,
  };
}

function authenticator(
  overrides: Partial<OidcSettings> = {},
  options: OidcAuthenticatorOptions = {},
): OidcAuthenticator {
  const settings = settingsFor(overrides);
  return new OidcAuthenticator(
    { ...settings, issuer: settings.issuer ?? idp.issuer, audience: settings.audience ?? AUDIENCE },
    { jwksCooldownMs: 0, ...options },
  );
}

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

describe('the OIDC authenticator', () => {
  it('accepts a token of the issuer for the audience, found through discovery', async () => {
    const token = await idp.clientCredentialsToken('batch-job');
    const { principal } = await authenticator().authenticate(token);
    expect(principal).toEqual({
      kind: 'oidc',
      id: `oidc:batch-job@${idp.issuer}`,
      name: null,
      subject: 'batch-job',
      roles: ['evaluator'],
      mayActForOthers: true,
    });
  });

  it('takes JWT-shaped tokens and leaves API keys to their authenticator', async () => {
    const oidc = authenticator();
    expect(oidc.accepts(await idp.clientCredentialsToken('batch-job'))).toBe(true);
    expect(oidc.accepts(`pgw_${'a'.repeat(12)}_${'b'.repeat(43)}`)).toBe(false);
  });

  it('refuses a token whose signature was altered', async () => {
    const token = await idp.clientCredentialsToken('batch-job');
    const [header, payload, signature = ''] = token.split('.');
    const flipped = `${signature[0] === 'A' ? 'B' : 'A'}${signature.slice(1)}`;
    const result = await authenticator().authenticate(`${header}.${payload}.${flipped}`);
    expect(result.principal).toBeUndefined();
    expect(result.refusal).toContain('ERR_JWS_SIGNATURE_VERIFICATION_FAILED');
  });

  it('refuses a token whose claims were altered under the original signature', async () => {
    const token = await idp.clientCredentialsToken('batch-job');
    const [header, , signature] = token.split('.');
    const claims = { ...decodeJwt(token), realm_access: { roles: ['admin'] } };
    const result = await authenticator().authenticate(
      `${header}.${base64url(claims)}.${signature}`,
    );
    expect(result.principal).toBeUndefined();
  });

  it('refuses a validly signed token of another issuer', async () => {
    // The other provider's keys, so that only the issuer check can refuse its token.
    const oidc = authenticator({ jwksUrl: otherIdp.jwksUrl });
    const result = await oidc.authenticate(await otherIdp.clientCredentialsToken('batch-job'));
    expect(result.principal).toBeUndefined();
    expect(result.refusal).toContain('"iss"');
  });

  it('refuses a token of a key the issuer never published', async () => {
    const result = await authenticator().authenticate(
      await otherIdp.clientCredentialsToken('batch-job'),
    );
    expect(result.principal).toBeUndefined();
  });

  it('refuses a token issued for another audience', async () => {
    const token = await idp.clientCredentialsToken('batch-job', {
      audience: 'https://another-service.test',
    });
    const result = await authenticator().authenticate(token);
    expect(result.principal).toBeUndefined();
    expect(result.refusal).toContain('"aud"');
  });

  it('accepts an expired token within the clock skew and refuses it beyond', async () => {
    const token = await idp.clientCredentialsToken('batch-job');
    const exp = decodeJwt(token).exp ?? 0;
    const at = (seconds: number) => ({ now: () => new Date(seconds * 1000) });
    const within = await authenticator({}, at(exp + SKEW - 1)).authenticate(token);
    expect(within.principal?.subject).toBe('batch-job');
    const beyond = await authenticator({}, at(exp + SKEW + 1)).authenticate(token);
    expect(beyond.principal).toBeUndefined();
    expect(beyond.refusal).toContain('ERR_JWT_EXPIRED');
  });

  it('verifies a repeated token once, yet refuses it past its expiry or once its key is retired', async () => {
    const rotating = await startOidcTestProvider({
      audience: AUDIENCE,
      serviceClients: { 'batch-job': { roles: ['evaluator'] } },
    });
    try {
      let nowSeconds = Date.now() / 1000;
      const remembering = authenticator(
        { issuer: rotating.issuer, rolesClaim: 'roles' },
        { now: () => new Date(nowSeconds * 1000) },
      );
      const oldToken = await rotating.clientCredentialsToken('batch-job');
      const exp = decodeJwt(oldToken).exp ?? 0;
      expect((await remembering.authenticate(oldToken)).principal?.subject).toBe('batch-job');
      // Remembered: still accepted within the skew, refused beyond it as without the cache.
      nowSeconds = exp + SKEW - 1;
      expect((await remembering.authenticate(oldToken)).principal?.subject).toBe('batch-job');
      nowSeconds = exp + SKEW + 1;
      expect((await remembering.authenticate(oldToken)).refusal).toContain('ERR_JWT_EXPIRED');

      nowSeconds = Date.now() / 1000;
      const token = await rotating.clientCredentialsToken('batch-job');
      expect((await remembering.authenticate(token)).principal).toBeDefined();
      await rotating.rotateSigningKey();
      rotating.retireOldKeys();
      // A token under the new key sends the authenticator back to the key set, which no longer
      // has the key that signed the remembered token: it is refused from then on.
      const newToken = await rotating.clientCredentialsToken('batch-job');
      expect((await remembering.authenticate(newToken)).principal).toBeDefined();
      const refused = await remembering.authenticate(token);
      expect(refused.principal).toBeUndefined();
      expect(refused.refusal).toContain('ERR_JWKS_NO_MATCHING_KEY');
    } finally {
      await rotating.close();
    }
  });

  it('refuses a token issued further in the future than the clock skew', async () => {
    const token = await idp.clientCredentialsToken('batch-job');
    const iat = decodeJwt(token).iat ?? 0;
    const early = { now: () => new Date((iat - SKEW - 5) * 1000) };
    const result = await authenticator({}, early).authenticate(token);
    expect(result.principal).toBeUndefined();
    expect(result.refusal).toContain('iat');
  });

  it('refuses an unsigned token (alg none)', async () => {
    const token = await idp.clientCredentialsToken('batch-job');
    const unsigned = `${base64url({ alg: 'none', typ: 'at+jwt' })}.${token.split('.')[1]}.`;
    const result = await authenticator().authenticate(unsigned);
    expect(result.principal).toBeUndefined();
  });

  it('refuses a token signed with HS256 keyed by the public key (algorithm confusion)', async () => {
    const token = await idp.clientCredentialsToken('batch-job');
    const { kid } = decodeProtectedHeader(token);
    const jwks = (await (await fetch(idp.jwksUrl)).json()) as { keys: { kid: string }[] };
    const publicKey = JSON.stringify(jwks.keys.find((key) => key.kid === kid));
    const signingInput = `${base64url({ alg: 'HS256', typ: 'at+jwt', kid })}.${token.split('.')[1]}`;
    const mac = createHmac('sha256', publicKey).update(signingInput).digest('base64url');
    const result = await authenticator().authenticate(`${signingInput}.${mac}`);
    expect(result.principal).toBeUndefined();
    expect(result.refusal).toContain('ERR_JOSE_ALG_NOT_ALLOWED');
  });

  it('follows a key rotation without restart, and refuses the retired key', async () => {
    const rotating = await startOidcTestProvider({
      audience: AUDIENCE,
      serviceClients: { 'batch-job': { roles: ['evaluator'] } },
    });
    try {
      const settings = {
        issuer: rotating.issuer,
        rolesClaim: 'roles',
      } satisfies Partial<OidcSettings>;
      const cached = authenticator(settings);
      const oldToken = await rotating.clientCredentialsToken('batch-job');
      expect((await cached.authenticate(oldToken)).principal).toBeDefined();

      await rotating.rotateSigningKey();
      const newToken = await rotating.clientCredentialsToken('batch-job');
      expect(decodeProtectedHeader(newToken).kid).not.toBe(decodeProtectedHeader(oldToken).kid);
      // An unknown key id sends the authenticator back to the JWKS.
      expect((await cached.authenticate(newToken)).principal?.roles).toEqual(['evaluator']);

      rotating.retireOldKeys();
      // Keys are trusted for POLICY_GATEWAY_OIDC_JWKS_CACHE_SECONDS; at 0, the retirement
      // counts from the next token on.
      const uncached = authenticator({ ...settings, jwksCacheSeconds: 0 });
      expect((await uncached.authenticate(newToken)).principal).toBeDefined();
      const refused = await uncached.authenticate(oldToken);
      expect(refused.principal).toBeUndefined();
      expect(refused.refusal).toContain('ERR_JWKS_NO_MATCHING_KEY');
    } finally {
      await rotating.close();
    }
  });

  it('grants the roles the claim names, ignoring values that are not roles', async () => {
    const { principal } = await authenticator().authenticate(
      await idp.clientCredentialsToken('ops-job'),
    );
    expect(principal?.roles).toEqual(['admin']);
  });

  it('with a role map, grants only what the map says', async () => {
    const oidc = authenticator({
      roleMap: { 'gw-readers': ['auditor'], superuser: ['evaluator'] },
    });
    const { principal } = await oidc.authenticate(await idp.clientCredentialsToken('ops-job'));
    // `admin` is a role's name, but the map does not list it.
    expect(principal?.roles).toEqual(['evaluator', 'auditor']);
  });

  it('gives a token without roles a principal without roles (the guard answers 403)', async () => {
    const { principal } = await authenticator().authenticate(
      await idp.clientCredentialsToken('no-roles-job'),
    );
    expect(principal?.roles).toEqual([]);
    expect(principal?.id).toBe(`oidc:no-roles-job@${idp.issuer}`);
  });

  it('throws (rather than refuses) when the provider cannot be reached for its keys', async () => {
    const oidc = authenticator({ issuer: 'http://127.0.0.1:9', jwksUrl: undefined });
    const token = await idp.clientCredentialsToken('batch-job');
    await expect(oidc.authenticate(token)).rejects.toThrow();
  });
});
