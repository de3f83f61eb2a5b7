/**
 * The auth area, a plugin registered under `/auth`: `GET /auth/config` (open) says whether
 * the gateway asks for credentials and how a browser signs in with OIDC, so that the
 * Workbench can offer the right sign-in before anyone has signed in; `GET /auth/me` (any valid
 * credential) says who the caller is and which roles it holds.
 */
import {
  type AuthConfig,
  AuthConfigSchema,
  type AuthPrincipal,
  AuthPrincipalSchema,
  type OidcSignIn,
  type PrincipalRole,
} from '@policy-gateway/gateway-contract';
import type { FastifyPluginAsync } from 'fastify';
import type { Principal, Role } from '../auth/principal.js';
import { ApiProblem } from './problem.js';
import { problemResponse } from './schemas.js';

export interface AuthRoutesOptions {
  /** Whether requests must authenticate (`POLICY_GATEWAY_AUTH=on`). */
  readonly required: boolean;
  /** The OIDC sign-in for browsers, when an issuer is configured. */
  readonly oidc: OidcSignIn | null;
}

// The contract spells the roles for clients, the service for the guard: they must agree.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
true satisfies Same<Role, PrincipalRole>;

/** The one mapping from the service's principal to the API's. */
export function toAuthPrincipalJson(principal: Principal): AuthPrincipal {
  return {
    id: principal.id,
    kind: principal.kind,
    name: principal.name,
    subject: principal.subject,
    roles: [...principal.roles],
  };
}

export const authRoutes: FastifyPluginAsync<AuthRoutesOptions> = async (app, options) => {
  const config: AuthConfig = { auth: options.required ? 'on' : 'off', oidc: options.oidc };
  app.get(
    '/config',
    {
      config: { access: 'open' },
      schema: {
        summary: 'How to sign in: whether credentials are needed, and the OIDC issuer if any',
        description: 'Open to anyone, so that a client can find out before it has credentials.',
        response: { 200: AuthConfigSchema },
      },
    },
    async () => config,
  );

  app.get(
    '/me',
    {
      schema: {
        summary: 'Who the credentials identify, and the roles they hold',
        description:
          'Any valid credential. With authentication off, the anonymous principal, holding every role.',
        response: {
          200: AuthPrincipalSchema,
          401: problemResponse('No valid credentials'),
        },
      },
    },
    async (request) => {
      // The guard sets it on every route of this area; its absence is a wiring fault.
      if (request.principal === undefined) {
        throw new ApiProblem('INTERNAL_ERROR', 'the caller was not identified');
      }
      return toAuthPrincipalJson(request.principal);
    },
  );
};
