/**
 * A real OpenID Connect provider for tests (`oidc-provider`), on 127.0.0.1 at a free port:
 * discovery, JWKS, a confidential client for the client-credentials grant and a public PKCE
 * client for the Workbench's browser sign-in. Access tokens are JWTs for the configured
 * audience (resource indicators) and carry a roles claim. The signing keys can be rotated
 * while it runs, as an identity provider does: the new key signs, the old one stays
 * published until it is retired.
 *
 * @example
 * const idp = await startOidcTestProvider({
 *   audience: 'https://gateway.test',
 *   serviceClients: { 'batch-job': { roles: ['evaluator'] } },
 *   accounts: { alice: { name: 'Alice', roles: ['auditor'] } },
 * });
 * const token = await idp.clientCredentialsToken('batch-job'); // a signed JWT access token
 * await idp.close();
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import Provider, { type Configuration, type KoaContextWithOIDC } from 'oidc-provider';

export interface TestAccount {
  readonly name?: string;
  readonly email?: string;
  /** Values of the roles claim in this account's tokens. */
  readonly roles?: readonly string[];
}

export interface TestServiceClient {
  /** Defaults to `<client id>-secret`. */
  readonly secret?: string;
  /** Values of the roles claim in this client's client-credentials tokens. */
  readonly roles?: readonly string[];
}

export interface OidcTestProviderOptions {
  /** The API's identifier: the default resource, and the `aud` of access tokens. */
  readonly audience: string;
  /** Claim that carries the roles; a dotted path nests it (`realm_access.roles`). Default `roles`. */
  readonly rolesClaim?: string;
  /** Lifetime of access tokens, in seconds. Default 300. */
  readonly accessTokenTtlSeconds?: number;
  /** Confidential clients that get tokens with the client-credentials grant, by client id. */
  readonly serviceClients?: Readonly<Record<string, TestServiceClient>>;
  /**
   * People who can sign in (the provider's development login form takes the account id as
   * login name and any password), by account id (the tokens' `sub`).
   */
  readonly accounts?: Readonly<Record<string, TestAccount>>;
  /** The public PKCE client the Workbench signs in with. Default `workbench`. */
  readonly workbenchClientId?: string;
  /** Its exact redirect URIs. Default: `/auth/callback` on both spellings of the local Workbench. */
  readonly workbenchRedirectUris?: readonly string[];
  /** Where it may send people after signing out. Default: the redirect URIs' origins. */
  readonly workbenchPostLogoutRedirectUris?: readonly string[];
  /** Signing algorithm of access tokens. Default `RS256`. */
  readonly algorithm?: 'RS256' | 'PS256' | 'ES256' | 'EdDSA';
}

export const DEFAULT_WORKBENCH_REDIRECT_URIS: readonly string[] = Object.freeze([
  'http://localhost:5173/auth/callback',
  'http://127.0.0.1:5173/auth/callback',
]);

export interface OidcTestProvider {
  /** e.g. `http://127.0.0.1:41234`; also the tokens' `iss`. */
  readonly issuer: string;
  readonly jwksUrl: string;
  readonly audience: string;
  readonly rolesClaim: string;
  readonly workbenchClientId: string;
  /** The key ids the JWKS publishes now, the signing one first. */
  readonly publishedKeyIds: readonly string[];
  /** A JWT access token from the client-credentials grant (`sub` is the client id). */
  clientCredentialsToken(clientId: string, options?: { audience?: string }): Promise<string>;
  /**
   * A new signing key signs from now on; the previous ones stay published (as a provider
   * does during rotation) unless `retirePrevious` is set.
   */
  rotateSigningKey(options?: { retirePrevious?: boolean }): Promise<void>;
  /** Stops publishing every key but the current signing key. */
  retireOldKeys(): void;
  close(): Promise<void>;
}

interface SigningKey {
  readonly kid: string;
  readonly jwk: JWK;
}

async function newSigningKey(algorithm: NonNullable<OidcTestProviderOptions['algorithm']>) {
  const { privateKey } = await generateKeyPair(algorithm, { extractable: true });
  const kid = randomBytes(8).toString('hex');
  const jwk = { ...(await exportJWK(privateKey)), kid, alg: algorithm, use: 'sig' };
  return { kid, jwk } satisfies SigningKey;
}

/** `{ realm_access: { roles } }` for `realm_access.roles`. */
function nestedClaim(path: string, value: unknown): Record<string, unknown> {
  const [head, ...rest] = path.split('.');
  if (head === undefined) return {};
  return { [head]: rest.length === 0 ? value : nestedClaim(rest.join('.'), value) };
}

function originOf(uri: string): string {
  return new URL(uri).origin;
}

export async function startOidcTestProvider(
  options: OidcTestProviderOptions,
): Promise<OidcTestProvider> {
  const rolesClaim = options.rolesClaim ?? 'roles';
  const algorithm = options.algorithm ?? 'RS256';
  const ttl = options.accessTokenTtlSeconds ?? 300;
  const workbenchClientId = options.workbenchClientId ?? 'workbench';
  const redirectUris = options.workbenchRedirectUris ?? DEFAULT_WORKBENCH_REDIRECT_URIS;
  const postLogoutRedirectUris = options.workbenchPostLogoutRedirectUris ?? [
    ...new Set(redirectUris.map((uri) => `${originOf(uri)}/`)),
  ];
  const serviceClients = options.serviceClients ?? {};
  const accounts = options.accounts ?? {};
  const cookieKeys = [randomBytes(32).toString('base64url')];

  // The provider is rebuilt when its keys change (its key set is fixed at construction); the
  // server keeps its port and hands each request to the current one. Grants and sessions
  // live in the memory adapter's module-wide store, so they survive the swap.
  let keys: SigningKey[] = [await newSigningKey(algorithm)];
  let provider: Provider | undefined;
  const server: Server = createServer((request, response) => {
    if (provider === undefined) {
      response.statusCode = 503;
      response.end();
      return;
    }
    provider.callback()(request, response);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const rolesOf = (token: { accountId?: string; clientId?: string }): readonly string[] => {
    if (token.accountId !== undefined) return accounts[token.accountId]?.roles ?? [];
    if (token.clientId !== undefined) return serviceClients[token.clientId]?.roles ?? [];
    return [];
  };

  const configuration = (): Configuration => ({
    clients: [
      ...Object.entries(serviceClients).map(([clientId, client]) => ({
        client_id: clientId,
        client_secret: client.secret ?? `${clientId}-secret`,
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
      })),
      {
        client_id: workbenchClientId,
        token_endpoint_auth_method: 'none',
        application_type: 'web',
        grant_types: ['authorization_code'],
        response_types: ['code'],
        redirect_uris: [...redirectUris],
        post_logout_redirect_uris: [...postLogoutRedirectUris],
      },
    ],
    jwks: { keys: keys.map((key) => key.jwk) },
    cookies: { keys: cookieKeys },
    pkce: { required: () => true },
    // The Workbench calls the token endpoint from the browser, from its own origin.
    clientBasedCORS: (_ctx, origin) => redirectUris.some((uri) => originOf(uri) === origin),
    findAccount: async (_ctx, sub) => {
      const account = accounts[sub];
      if (account === undefined) return undefined;
      return {
        accountId: sub,
        claims: async () => ({
          sub,
          ...(account.name === undefined ? {} : { name: account.name }),
          ...(account.email === undefined ? {} : { email: account.email }),
        }),
      };
    },
    claims: { openid: ['sub'], profile: ['name'], email: ['email'] },
    scopes: ['openid', 'profile', 'email'],
    // Tests sign in without a consent screen: the grant is made on first use.
    loadExistingGrant: async (ctx: KoaContextWithOIDC) => {
      const { client, session, params } = ctx.oidc;
      if (client === undefined || session?.accountId === undefined) return undefined;
      const existing = session.grantIdFor(client.clientId);
      if (existing !== undefined) {
        const grant = await ctx.oidc.provider.Grant.find(existing);
        if (grant !== undefined) return grant;
      }
      const grant = new ctx.oidc.provider.Grant({
        clientId: client.clientId,
        accountId: session.accountId,
      });
      grant.addOIDCScope(String(params?.scope ?? 'openid'));
      grant.addResourceScope(options.audience, 'gateway');
      await grant.save();
      session.ensureClientContainer(client.clientId);
      session.grantIdFor(client.clientId, grant.jti);
      return grant;
    },
    extraTokenClaims: async (_ctx, token) => {
      const roles = rolesOf(token as { accountId?: string; clientId?: string });
      return nestedClaim(rolesClaim, [...roles]);
    },
    features: {
      devInteractions: { enabled: true },
      clientCredentials: { enabled: true },
      rpInitiatedLogout: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => options.audience,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, resourceIndicator) => ({
          scope: 'gateway',
          audience: resourceIndicator,
          accessTokenFormat: 'jwt',
          accessTokenTTL: ttl,
          jwt: { sign: { alg: algorithm } },
        }),
      },
    },
    ttl: {
      AccessToken: ttl,
      ClientCredentials: ttl,
      AuthorizationCode: 60,
      IdToken: ttl,
      Grant: 3600,
      Interaction: 600,
      Session: 3600,
    },
  });

  const rebuild = () => {
    const next = new Provider(issuer, configuration());
    // Test runs are quiet: the provider reports token errors that tests cause on purpose.
    next.on('server_error', () => {});
    provider = next;
  };
  rebuild();

  return {
    issuer,
    jwksUrl: `${issuer}/jwks`,
    audience: options.audience,
    rolesClaim,
    workbenchClientId,
    get publishedKeyIds() {
      return keys.map((key) => key.kid);
    },
    async clientCredentialsToken(clientId, tokenOptions = {}) {
      const client = serviceClients[clientId];
      if (client === undefined) throw new Error(`no service client ${clientId}`);
      const response = await fetch(`${issuer}/token`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${clientId}:${client.secret ?? `${clientId}-secret`}`).toString('base64')}`,
        },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          scope: 'gateway',
          resource: tokenOptions.audience ?? options.audience,
        }),
      });
      const body = (await response.json()) as { access_token?: string; error?: string };
      if (!response.ok || body.access_token === undefined) {
        throw new Error(`token request failed: ${response.status} ${JSON.stringify(body)}`);
      }
      return body.access_token;
    },
    async rotateSigningKey({ retirePrevious = false } = {}) {
      const key = await newSigningKey(algorithm);
      keys = retirePrevious ? [key] : [key, ...keys];
      rebuild();
    },
    retireOldKeys() {
      keys = keys.slice(0, 1);
      rebuild();
    },
    async close() {
      provider = undefined;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
