/**
 * The test identity provider does what the authenticator and browser tests rely on: JWT
 * access tokens for the configured audience with the roles claim, from the client-credentials
 * grant and from a PKCE sign-in of the Workbench client, and signing-key rotation.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OidcTestProvider, startOidcTestProvider } from './support/oidc-test-provider.js';

const AUDIENCE = 'https://gateway.test';
let idp: OidcTestProvider;

beforeAll(async () => {
  idp = await startOidcTestProvider({
    audience: AUDIENCE,
    rolesClaim: 'realm_access.roles',
    serviceClients: { 'batch-job': { roles: ['evaluator'] } },
    accounts: { alice: { name: 'Alice Auditor', roles: ['auditor'] } },
    workbenchRedirectUris: ['http://127.0.0.1:5173/auth/callback'],
  });
});

afterAll(async () => {
  await idp?.close();
});

/** Follows one redirect by hand, keeping the provider's cookies, as a browser would. */
class Browser {
  private readonly cookies = new Map<string, string>();

  async get(url: string, init: RequestInit = {}): Promise<Response> {
    const response = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as Record<string, string>), cookie: this.cookieHeader() },
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const [name, ...value] = (pair ?? '').split('=');
      if (name !== undefined) this.cookies.set(name.trim(), value.join('='));
    }
    return response;
  }

  private cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

describe('the OIDC test provider', () => {
  it('publishes discovery with its issuer and JWKS', async () => {
    const response = await fetch(`${idp.issuer}/.well-known/openid-configuration`);
    const discovery = (await response.json()) as Record<string, unknown>;
    expect(discovery.issuer).toBe(idp.issuer);
    expect(discovery.jwks_uri).toBe(idp.jwksUrl);
  });

  it('issues client-credentials JWTs for the audience with the nested roles claim', async () => {
    const token = await idp.clientCredentialsToken('batch-job');
    const { payload } = await jwtVerify(token, createRemoteJWKSet(new URL(idp.jwksUrl)), {
      issuer: idp.issuer,
      audience: AUDIENCE,
    });
    expect(payload.sub).toBe('batch-job');
    expect(payload.realm_access).toEqual({ roles: ['evaluator'] });
  });

  it('signs a person in with PKCE and gives the Workbench a JWT access token', async () => {
    const browser = new Browser();
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const redirectUri = 'http://127.0.0.1:5173/auth/callback';
    const authorize = new URL(`${idp.issuer}/auth`);
    authorize.search = new URLSearchParams({
      client_id: idp.workbenchClientId,
      response_type: 'code',
      redirect_uri: redirectUri,
      scope: 'openid profile',
      resource: AUDIENCE,
      code_challenge: challenge,
      code_challenge_method: 'S256',
      state: 'state-1',
    }).toString();
    let response = await browser.get(authorize.toString());
    expect(response.status).toBe(303);
    const interaction = new URL(response.headers.get('location') ?? '', idp.issuer);
    response = await browser.get(interaction.toString());
    expect(await response.text()).toContain('name="login"');
    response = await browser.get(interaction.toString(), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ prompt: 'login', login: 'alice', password: 'any' }),
    });
    // Back through the authorization endpoint to the callback with a code.
    let location = response.headers.get('location') ?? '';
    while (!location.startsWith(redirectUri)) {
      response = await browser.get(new URL(location, idp.issuer).toString());
      location = response.headers.get('location') ?? '';
      expect(location, await response.clone().text()).not.toBe('');
    }
    const callback = new URL(location);
    expect(callback.searchParams.get('state')).toBe('state-1');
    const code = callback.searchParams.get('code') ?? '';
    const tokenResponse = await fetch(`${idp.issuer}/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        origin: 'http://127.0.0.1:5173',
      },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        client_id: idp.workbenchClientId,
        code,
        redirect_uri: redirectUri,
        code_verifier: verifier,
        resource: AUDIENCE,
      }),
    });
    expect(tokenResponse.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:5173');
    const tokens = (await tokenResponse.json()) as { access_token: string; id_token: string };
    const { payload } = await jwtVerify(
      tokens.access_token,
      createRemoteJWKSet(new URL(idp.jwksUrl)),
      { issuer: idp.issuer, audience: AUDIENCE },
    );
    expect(payload.sub).toBe('alice');
    expect(payload.realm_access).toEqual({ roles: ['auditor'] });
    expect(tokens.id_token).toBeTypeOf('string');
  });

  it('signs with a new key after rotation and stops publishing retired keys', async () => {
    const before = decodeProtectedHeader(await idp.clientCredentialsToken('batch-job')).kid;
    await idp.rotateSigningKey();
    const after = decodeProtectedHeader(await idp.clientCredentialsToken('batch-job')).kid;
    expect(after).not.toBe(before);
    expect(idp.publishedKeyIds).toEqual([after, before]);
    const published = async () =>
      ((await (await fetch(idp.jwksUrl)).json()) as { keys: { kid: string }[] }).keys.map(
        (key) => key.kid,
      );
    expect(await published()).toEqual([after, before]);
    idp.retireOldKeys();
    expect(await published()).toEqual([after]);
  });
});
