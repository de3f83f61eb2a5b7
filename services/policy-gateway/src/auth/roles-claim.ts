/**
 * The gateway roles a token's claims grant: the configured claim (a dotted path reaches a
 * nested one, as Keycloak's `realm_access.roles`), read as an array of strings or one
 * space-separated string, each value mapped to roles. Values that grant nothing are ignored;
 * a token granting none yields a principal without roles, which the guard answers with 403.
 */
import { ROLES, type Role } from './principal.js';

/** The value at a dotted path of the claims, or undefined. */
export function claimAt(claims: Readonly<Record<string, unknown>>, path: string): unknown {
  let current: unknown = claims;
  for (const segment of path.split('.')) {
    if (current === null || typeof current !== 'object' || Array.isArray(current)) return undefined;
    if (!Object.hasOwn(current, segment)) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

function claimValues(value: unknown): readonly string[] {
  if (typeof value === 'string') return value.split(' ').filter((part) => part !== '');
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string');
  return [];
}

/**
 * @example
 * rolesFromClaims({ realm_access: { roles: ['gw-admins'] } }, 'realm_access.roles', { 'gw-admins': ['admin'] });
 * // ['admin']
 */
export function rolesFromClaims(
  claims: Readonly<Record<string, unknown>>,
  path: string,
  roleMap: Readonly<Record<string, readonly Role[]>> | undefined,
): readonly Role[] {
  const granted = new Set<Role>();
  for (const value of claimValues(claimAt(claims, path))) {
    if (roleMap === undefined) {
      if ((ROLES as readonly string[]).includes(value)) granted.add(value as Role);
    } else if (Object.hasOwn(roleMap, value)) {
      for (const role of roleMap[value] ?? []) granted.add(role);
    }
  }
  // In the order of ROLES, whatever the claim's order.
  return Object.freeze(ROLES.filter((role) => granted.has(role)));
}
