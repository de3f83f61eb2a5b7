/**
 * Who is calling: the identity an authenticated request carries, and the roles it holds.
 * Every route decides what a caller may do from its roles alone (`api/authentication.ts`);
 * entries and access-log records name the principal by `id`.
 */

/**
 * The roles, least to most powerful in what they reveal: `evaluator` may ask for decisions,
 * `auditor` may read the trail (and export and verify it), `admin` manages keys and the
 * gateway's other administrative operations (erasing a subject among them),
 * `privacy-officer` may read the unmasked originals of masked entries, with a reason.
 */
export const ROLES = Object.freeze(['evaluator', 'auditor', 'admin', 'privacy-officer'] as const);

export type Role = (typeof ROLES)[number];

export type PrincipalKind = 'api_key' | 'oidc' | 'anonymous';

export interface Principal {
  readonly kind: PrincipalKind;
  /**
   * Stable and unique across kinds, as recorded in entries and the access log:
   * `key:<key id>` for an API key, `oidc:<subject>@<issuer>` for a token, `anonymous`
   * when authentication is off.
   */
  readonly id: string;
  /** A label for people: the key's name, the token's `name`/`email`/`preferred_username`. */
  readonly name: string | null;
  /** The token's `sub` (who a decision is about); null for API keys and anonymous. */
  readonly subject: string | null;
  readonly roles: readonly Role[];
  /**
   * Whether a principal that names a subject may record decisions about other users (a body
   * `user_id` other than `subject`): granted by its authenticator, e.g. an OIDC token mapped
   * to it. A principal without a subject (an API key, a service account) always may.
   */
  readonly mayActForOthers?: boolean;
}

/** The caller when `POLICY_GATEWAY_AUTH` is off: every role, recorded as `anonymous`. */
export const ANONYMOUS_PRINCIPAL: Principal = Object.freeze({
  kind: 'anonymous',
  id: 'anonymous',
  name: null,
  subject: null,
  roles: ROLES,
});
