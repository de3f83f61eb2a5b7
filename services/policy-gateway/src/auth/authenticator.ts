/**
 * The port every kind of credential implements: given the token of an
 * `Authorization: Bearer <token>` header, the principal it proves, or undefined. Undefined
 * covers every reason a credential is not accepted (unknown, revoked, expired, bad
 * signature, wrong issuer or audience), so that callers answer all of them alike (401) and
 * an attacker learns nothing from the difference; the reason goes to the log only.
 */
import type { Principal } from './principal.js';

export interface Authentication {
  readonly principal: Principal | undefined;
  /** Why the credential was refused, for the server's log only; never sent to the client. */
  readonly refusal?: string;
}

export interface Authenticator {
  /** Whether this authenticator takes this token's shape (e.g. a `pgw_` key or a JWT). */
  accepts(token: string): boolean;
  authenticate(token: string): Promise<Authentication>;
  close(): Promise<void>;
}
