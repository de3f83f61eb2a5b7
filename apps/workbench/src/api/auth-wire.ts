/**
 * The sign-in shapes as the Workbench reads them, from the gateway's contract: `GET /auth/config`
 * (whether the gateway authenticates, and the OIDC provider to sign in with) and `GET /auth/me`
 * (who the credential proves, with which roles).
 */
import { PRINCIPAL_ROLES, type PrincipalRole } from '@policy-gateway/gateway-contract';

export {
  type AuthConfig,
  AuthConfigSchema,
  type AuthPrincipal as Principal,
  AuthPrincipalSchema as PrincipalSchema,
  type OidcSignIn as OidcSettings,
} from '@policy-gateway/gateway-contract';

export type Role = PrincipalRole;

/** The roles of `principal` the Workbench knows, ignoring any it does not. */
export function knownRoles(principal: { readonly roles: readonly string[] }): readonly Role[] {
  return PRINCIPAL_ROLES.filter((role) => principal.roles.includes(role));
}
