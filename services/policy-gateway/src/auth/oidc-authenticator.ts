/**
 * Authenticates OIDC/JWT bearer tokens from the organisation's identity provider with `jose`:
 * the signature against the provider's published keys (fetched once, cached, fetched again
 * when a token names an unknown key id, at most once per cooldown), asymmetric algorithms only
 * (never `none`, never an HMAC keyed with a public key), the issuer, the audience, and `exp`,
 * `nbf` and `iat` within the configured clock skew. The principal is
 * `oidc:<sub>@<issuer>` with the roles of the roles claim.
 *
 * A token that fails a check is a refusal (401); a provider that cannot be reached for its
 * keys is thrown (the guard's 503), since the token may well be good.
 */
import {
  createRemoteJWKSet,
  decodeProtectedHeader,
  errors,
  type JWTPayload,
  jwtVerify,
} from 'jose';
import type { Authentication, Authenticator } from './authenticator.js';
import type { OidcSettings } from './oidc-settings.js';
import type { Principal } from './principal.js';
import { rolesFromClaims } from './roles-claim.js';
import { VerifiedTokenCache } from './verified-token-cache.js';

type RemoteKeySet = ReturnType<typeof createRemoteJWKSet>;

/** Tokens remembered as verified (see `VerifiedTokenCache`); each entry is about 1 KB. */
const VERIFIED_TOKENS_MAX = 10_000;

/** Asymmetric JWS algorithms: a token signed otherwise is refused before any key is chosen. */
export const OIDC_ALGORITHMS = Object.freeze([
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
]);

/** jose's codes for a token that is not acceptable, as opposed to keys that could not be had. */
const REFUSAL_CODES = new Set([
  'ERR_JWT_EXPIRED',
  'ERR_JWT_CLAIM_VALIDATION_FAILED',
  'ERR_JWT_INVALID',
  'ERR_JWS_INVALID',
  'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
  'ERR_JOSE_ALG_NOT_ALLOWED',
  'ERR_JOSE_NOT_SUPPORTED',
  'ERR_JWKS_NO_MATCHING_KEY',
  'ERR_JWKS_MULTIPLE_MATCHING_KEYS',
]);

const JWT_SHAPE = /^eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
const DISCOVERY_TIMEOUT_MS = 5_000;

export type ConfiguredOidcSettings = OidcSettings & {
  readonly issuer: string;
  readonly audience: string;
};

export interface OidcAuthenticatorOptions {
  /** This machine's clock; tests move it instead of waiting. */
  readonly now?: () => Date;
  /** Least time between two fetches of the keys for unknown key ids, in ms (jose's, 30 s). */
  readonly jwksCooldownMs?: number;
  /** How many verified tokens to remember (0: verify every request). */
  readonly verifiedTokensMax?: number;
  /** Bound on one fetch of the discovery document or the keys, in ms. */
  readonly fetchTimeoutMs?: number;
}

/** Whether the key set as last fetched still has this key id (a token without one: any key). */
function isPublished(keys: RemoteKeySet, keyId: string | undefined): boolean {
  const published = keys.jwks()?.keys;
  if (published === undefined) return false;
  return keyId === undefined ? published.length > 0 : published.some((key) => key.kid === keyId);
}

/** The JWKS URL the issuer's discovery document names; its `issuer` must be the configured one. */
async function discoverJwksUrl(issuer: string, timeoutMs: number): Promise<URL> {
  const url = `${issuer}/.well-known/openid-configuration`;
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
  if (!response.ok) throw new Error(`OIDC discovery ${url} answered ${response.status}`);
  const document = (await response.json()) as { issuer?: unknown; jwks_uri?: unknown };
  if (document.issuer !== issuer) {
    throw new Error(`OIDC discovery ${url} names issuer ${String(document.issuer)}, not ${issuer}`);
  }
  if (typeof document.jwks_uri !== 'string')
    throw new Error(`OIDC discovery ${url} has no jwks_uri`);
  return new URL(document.jwks_uri);
}

export class OidcAuthenticator implements Authenticator {
  readonly #settings: ConfiguredOidcSettings;
  readonly #options: OidcAuthenticatorOptions;
  readonly #now: () => Date;
  #keys: Promise<RemoteKeySet> | undefined;
  readonly #verified: VerifiedTokenCache;

  constructor(settings: ConfiguredOidcSettings, options: OidcAuthenticatorOptions = {}) {
    this.#settings = settings;
    this.#options = options;
    this.#now = options.now ?? (() => new Date());
    this.#verified = new VerifiedTokenCache({
      maxEntries: options.verifiedTokensMax ?? VERIFIED_TOKENS_MAX,
      maxAgeMs: settings.jwksCacheSeconds * 1000,
      clockSkewSeconds: settings.clockSkewSeconds,
    });
  }

  accepts(token: string): boolean {
    return JWT_SHAPE.test(token);
  }

  /** The key set, from the configured URL or discovery; a failed discovery is tried again next time. */
  #keySet(): Promise<RemoteKeySet> {
    if (this.#keys === undefined) {
      const timeoutDuration = this.#options.fetchTimeoutMs ?? DISCOVERY_TIMEOUT_MS;
      const { jwksUrl, issuer } = this.#settings;
      this.#keys = (
        jwksUrl === undefined
          ? discoverJwksUrl(issuer, timeoutDuration)
          : Promise.resolve(new URL(jwksUrl))
      ).then((url) =>
        createRemoteJWKSet(url, {
          timeoutDuration,
          ...(this.#options.jwksCooldownMs === undefined
            ? {}
            : { cooldownDuration: this.#options.jwksCooldownMs }),
          cacheMaxAge: this.#settings.jwksCacheSeconds * 1000,
        }),
      );
      this.#keys.catch(() => {
        this.#keys = undefined;
      });
    }
    return this.#keys;
  }

  async authenticate(token: string): Promise<Authentication> {
    const keys = await this.#keySet();
    const now = this.#now();
    const cacheKey = VerifiedTokenCache.keyOf(token);
    const known = this.#verified.find(cacheKey, now, (keyId) => isPublished(keys, keyId));
    if (known !== undefined) return { principal: known };
    const skew = this.#settings.clockSkewSeconds;
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        issuer: this.#settings.issuer,
        audience: this.#settings.audience,
        algorithms: [...OIDC_ALGORITHMS],
        clockTolerance: skew,
        currentDate: now,
        requiredClaims: ['exp', 'sub'],
      }));
    } catch (error) {
      if (error instanceof errors.JOSEError && REFUSAL_CODES.has(error.code)) {
        return { principal: undefined, refusal: `token refused (${error.code}): ${error.message}` };
      }
      throw error;
    }
    // jose checks `iat` only against a maximum age; a token issued in the future is refused too.
    if (typeof payload.iat === 'number' && payload.iat > now.getTime() / 1000 + skew) {
      return {
        principal: undefined,
        refusal: 'token refused: issued in the future (iat beyond the clock skew)',
      };
    }
    const principal = this.#principal(payload);
    this.#verified.remember(
      cacheKey,
      { principal, expiresAt: Number(payload.exp), keyId: decodeProtectedHeader(token).kid },
      now,
    );
    return { principal };
  }

  #principal(payload: JWTPayload): Principal {
    const sub = String(payload.sub);
    const label = [payload.name, payload.preferred_username, payload.email].find(
      (value): value is string => typeof value === 'string' && value !== '',
    );
    return Object.freeze({
      kind: 'oidc',
      id: `oidc:${sub}@${this.#settings.issuer}`,
      name: label ?? null,
      subject: sub,
      roles: rolesFromClaims(payload, this.#settings.rolesClaim, this.#settings.roleMap),
      // A client-credentials token (RFC 9068: `sub` is the client itself) is a service
      // account: it evaluates on behalf of its users. A person's token speaks for its `sub`.
      mayActForOthers: typeof payload.client_id === 'string' && payload.client_id === sub,
    });
  }

  async close(): Promise<void> {
    this.#verified.clear();
  }
}
