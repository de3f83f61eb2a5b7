/**
 * What the OIDC authenticator is configured with (`POLICY_GATEWAY_OIDC_*`, declared in
 * `config/setting-declarations.ts`). Without an issuer there is no OIDC authenticator.
 */
import type { Role } from './principal.js';

export interface OidcSettings {
  /** The `iss` tokens must carry, e.g. `https://login.example.com/realms/acme`. */
  readonly issuer: string | undefined;
  /** The `aud` tokens must include: the gateway's identifier at the identity provider. */
  readonly audience: string | undefined;
  /** Where the signing keys are; found through the issuer's discovery document when unset. */
  readonly jwksUrl: string | undefined;
  /** How long fetched signing keys are trusted before they are fetched again, in seconds. */
  readonly jwksCacheSeconds: number;
  /** The claim holding the caller's roles; a dotted path reads a nested one (`realm_access.roles`). */
  readonly rolesClaim: string;
  /**
   * Claim values and the gateway roles they grant. Unset: a value that is a role's name grants
   * that role. Set: only the listed values grant roles.
   */
  readonly roleMap: Readonly<Record<string, readonly Role[]>> | undefined;
  /** How far `exp`, `nbf` and `iat` may be off this machine's clock, in seconds. */
  readonly clockSkewSeconds: number;
  /** The public client the Workbench signs in as (PKCE), served by `GET /auth/config`. */
  readonly workbenchClientId: string | undefined;
}
