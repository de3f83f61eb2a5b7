/**
 * Signing in with the organisation's OIDC provider: the authorization code flow with PKCE, for a
 * public client (the browser holds no secret), with oauth4webapi doing the protocol checks
 * (issuer, state, nonce, ID token signature and claims). `startOidcSignIn` leaves for the
 * provider; the provider sends the browser back to `/auth/callback`, where
 * `completeOidcSignIn` exchanges the code for tokens before the app renders.
 *
 * What is carried across the redirect (PKCE verifier, state, nonce, where to return) sits in
 * this tab's `sessionStorage` and is removed as soon as the callback reads it.
 */
import * as oauth from 'oauth4webapi';
import type { OidcSettings } from '../api/auth-wire.js';
import type { Credential } from './session-store.js';

/** The Workbench's own page the provider redirects to; register it with the provider. */
export const OIDC_CALLBACK_PATH = 'auth/callback';

const PENDING_KEY = 'policy-gateway.workbench.oidc-pending';

interface PendingSignIn {
  readonly issuer: string;
  readonly clientId: string;
  readonly codeVerifier: string;
  readonly state: string;
  readonly nonce: string;
  /** Path, search and hash to go back to once signed in. */
  readonly returnTo: string;
}

/** The callback URL for the Workbench at `baseUrl` on `origin`. */
export function oidcRedirectUri(origin: string, baseUrl: string): string {
  return new URL(`${baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`}${OIDC_CALLBACK_PATH}`, origin)
    .href;
}

/**
 * http:// is accepted for a provider on this machine only (a development or test provider);
 * anywhere else the provider must use https://.
 */
function requestOptions(issuer: URL): { [oauth.allowInsecureRequests]?: boolean } {
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(issuer.hostname);
  return issuer.protocol === 'http:' && loopback ? { [oauth.allowInsecureRequests]: true } : {};
}

async function discover(issuer: URL): Promise<oauth.AuthorizationServer> {
  const response = await oauth.discoveryRequest(issuer, {
    algorithm: 'oidc',
    ...requestOptions(issuer),
  });
  return oauth.processDiscoveryResponse(issuer, response);
}

function scopesOf(settings: OidcSettings): string {
  const list = settings.scopes.filter((scope) => scope !== '');
  return (list.includes('openid') ? list : ['openid', ...list]).join(' ');
}

/** Leaves for the provider's sign-in page; comes back to `/auth/callback`. */
export async function startOidcSignIn(
  settings: OidcSettings,
  redirectUri: string,
  returnTo: string,
): Promise<void> {
  const issuer = new URL(settings.issuer);
  const server = await discover(issuer);
  if (server.authorization_endpoint === undefined) {
    throw new Error(`${settings.issuer} has no authorization endpoint`);
  }
  const pending: PendingSignIn = {
    issuer: settings.issuer,
    clientId: settings.client_id,
    codeVerifier: oauth.generateRandomCodeVerifier(),
    state: oauth.generateRandomState(),
    nonce: oauth.generateRandomNonce(),
    returnTo,
  };
  const url = new URL(server.authorization_endpoint);
  url.search = new URLSearchParams({
    client_id: settings.client_id,
    redirect_uri: redirectUri,
    response_type: 'code',
    scope: scopesOf(settings),
    code_challenge: await oauth.calculatePKCECodeChallenge(pending.codeVerifier),
    code_challenge_method: 'S256',
    state: pending.state,
    nonce: pending.nonce,
    // The gateway's identifier at the provider, so that the access token is a JWT for it
    // (RFC 8707 resource indicator); providers without them issue ID tokens only.
    ...(settings.audience ? { resource: settings.audience } : {}),
  }).toString();
  window.sessionStorage.setItem(PENDING_KEY, JSON.stringify(pending));
  window.location.assign(url.href);
}

/** Whether `url` is the provider sending the browser back to the Workbench. */
export function isOidcCallback(url: URL, baseUrl: string): boolean {
  return url.href.split(/[?#]/)[0] === oidcRedirectUri(url.origin, baseUrl);
}

/**
 * Exchanges the code in `callbackUrl` for tokens and returns the credential and where to go
 * next. Throws with a sentence to show on the sign-in page when the provider refused or the
 * answer does not check out.
 */
export async function completeOidcSignIn(
  callbackUrl: URL,
  baseUrl: string,
): Promise<{ readonly credential: Credential; readonly returnTo: string }> {
  const pending = takePending();
  if (pending === null) {
    throw new Error('The sign-in could not be completed: it was not started from this tab.');
  }
  const issuer = new URL(pending.issuer);
  const server = await discover(issuer);
  const client: oauth.Client = { client_id: pending.clientId };
  let parameters: URLSearchParams;
  try {
    parameters = oauth.validateAuthResponse(server, client, callbackUrl, pending.state);
  } catch (error) {
    if (error instanceof oauth.AuthorizationResponseError) {
      const detail = error.error_description ?? error.error;
      throw new Error(`The provider did not sign you in: ${detail}`);
    }
    throw error;
  }
  const response = await oauth.authorizationCodeGrantRequest(
    server,
    client,
    oauth.None(),
    parameters,
    oidcRedirectUri(callbackUrl.origin, baseUrl),
    pending.codeVerifier,
    requestOptions(issuer),
  );
  const tokens = await oauth.processAuthorizationCodeResponse(server, client, response, {
    expectedNonce: pending.nonce,
    requireIdToken: true,
  });
  return { credential: { kind: 'oidc', token: bearerTokenOf(tokens) }, returnTo: pending.returnTo };
}

/**
 * The token the gateway verifies: the access token when the provider issues it as a JWT (an
 * API audience configured there), else the ID token, whose audience is this client.
 */
function bearerTokenOf(tokens: oauth.TokenEndpointResponse): string {
  const isJwt = tokens.access_token.split('.').length === 3;
  if (isJwt || tokens.id_token === undefined) return tokens.access_token;
  return tokens.id_token;
}

function takePending(): PendingSignIn | null {
  const text = window.sessionStorage.getItem(PENDING_KEY);
  window.sessionStorage.removeItem(PENDING_KEY);
  if (text === null) return null;
  try {
    return JSON.parse(text) as PendingSignIn;
  } catch {
    return null;
  }
}
