/**
 * An authenticator over a fixed table of tokens, for the guard's own tests: a real
 * implementation of the `Authenticator` port (not a mock of the guard), so that the guard's
 * answers can be checked for every principal shape, including refusals with a reason and an
 * authenticator that cannot answer. The route × role tests use real API keys instead.
 */
import type { Authentication, Authenticator } from '../../src/auth/authenticator.js';
import type { Principal, Role } from '../../src/auth/principal.js';

export const FIXED_TOKEN_PREFIX = 'fixed_';

export function keyPrincipal(name: string, roles: readonly Role[]): Principal {
  return { kind: 'api_key', id: `key:${name}`, name, subject: null, roles };
}

export function tokenPrincipal(
  subject: string,
  roles: readonly Role[],
  options: { mayActForOthers?: boolean } = {},
): Principal {
  return {
    kind: 'oidc',
    id: `oidc:${subject}@https://idp.test`,
    name: subject,
    subject,
    roles,
    ...options,
  };
}

export class FixedPrincipalAuthenticator implements Authenticator {
  readonly closed: { value: boolean } = { value: false };

  constructor(
    /** Token (without the prefix) → the principal it proves, or the reason it is refused. */
    readonly table: Readonly<Record<string, Principal | { refusal: string } | 'unavailable'>>,
  ) {}

  accepts(token: string): boolean {
    return token.startsWith(FIXED_TOKEN_PREFIX);
  }

  async authenticate(token: string): Promise<Authentication> {
    const found = this.table[token.slice(FIXED_TOKEN_PREFIX.length)];
    if (found === undefined) return { principal: undefined, refusal: 'unknown token' };
    if (found === 'unavailable') throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
    if ('refusal' in found) return { principal: undefined, refusal: found.refusal };
    return { principal: found };
  }

  async close(): Promise<void> {
    this.closed.value = true;
  }
}

/** The `Authorization` header for a token of the table. */
export function bearer(token: string): { authorization: string } {
  return { authorization: `Bearer ${FIXED_TOKEN_PREFIX}${token}` };
}
