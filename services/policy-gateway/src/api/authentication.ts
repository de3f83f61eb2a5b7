/**
 * The authentication guard: one `onRequest` hook per API area (added through the `AreaScopes`
 * seam of `api/routes.ts`) that reads `Authorization: Bearer <token>`, asks the authenticator
 * that takes the token's shape who it proves, sets `request.principal`, and enforces the
 * area's access (`api/area-access.ts`): `401 UNAUTHENTICATED` without a valid credential,
 * `403 FORBIDDEN` without the role. Every refused credential gets the same answer, whatever
 * the reason (unknown, revoked, expired, bad signature); the reason is logged, never sent.
 * When authentication is off, every caller is `ANONYMOUS_PRINCIPAL`, holding every role.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import type { Authenticator } from '../auth/authenticator.js';
import { ANONYMOUS_PRINCIPAL, type Principal } from '../auth/principal.js';
import type { AuthenticationMode } from '../config/authentication-mode.js';
import type { Access } from './area-access.js';
import { operationSecurity } from './openapi.js';
import { ApiProblem } from './problem.js';
import type { ScopeSetup } from './routes.js';
import { problemResponse } from './schemas.js';

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * Who is calling: set by the guard on every route of a guarded area (the anonymous
     * principal when authentication is off); on open routes, only when valid credentials were
     * sent. Undefined outside the areas (404s).
     */
    principal: Principal | undefined;
  }
}

export interface AuthenticationOptions {
  readonly mode: AuthenticationMode;
  /**
   * The authenticators by name (`api_key`, `oidc`), as `/ready` lists them; a token is given to
   * the first whose `accepts` takes it. Closed when the app closes.
   */
  readonly authenticators: Readonly<Record<string, Authenticator>>;
}

/** Authentication off and no authenticators: what `buildApp` uses when given none. */
export const AUTHENTICATION_OFF: AuthenticationOptions = Object.freeze({
  mode: Object.freeze({ mode: 'off', unsafe: false }),
  authenticators: Object.freeze({}),
});

const REALM = 'Bearer realm="policy-gateway"';
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/** The answer to every missing or refused credential: one problem, one challenge. */
function unauthenticated(reply: FastifyReply, sent: boolean): ApiProblem {
  // RFC 6750: a refused token is `invalid_token`; a missing one gets the bare challenge.
  reply.header('www-authenticate', sent ? `${REALM}, error="invalid_token"` : REALM);
  return new ApiProblem(
    'UNAUTHENTICATED',
    sent
      ? 'the credentials were not accepted; send a valid API key or token as Authorization: Bearer <credential>'
      : 'this route needs credentials: send an API key or token as Authorization: Bearer <credential>',
  );
}

/**
 * Adds the guard's answers to the route's documented responses (and so to `/openapi.json`),
 * whether or not this gateway requires authentication: the API is the same either way.
 */
function documentAccess(route: RouteOptions, access: Access): void {
  if (route.schema === undefined) return;
  route.schema.security ??= operationSecurity(
    access === 'open' ? { optional: true } : access === 'authenticated' ? {} : { role: access },
  );
  if (access === 'open') return;
  const schema = route.schema as { response?: Record<string, unknown> };
  schema.response ??= {};
  schema.response[401] ??= problemResponse(
    'No valid credentials (missing, unknown, revoked, expired or badly signed: all alike)',
  );
  if (access !== 'authenticated') {
    schema.response[403] ??= problemResponse(`The credentials lack the ${access} role`);
  }
  schema.response[503] ??= problemResponse('The credentials could not be checked');
}

export class AuthenticationGuard {
  readonly mode: AuthenticationMode;
  readonly #authenticators: readonly Authenticator[];
  /** The authenticators' names, as `/ready` shows them to authenticated callers. */
  readonly authenticatorNames: readonly string[];

  constructor(options: AuthenticationOptions) {
    this.mode = options.mode;
    this.#authenticators = Object.values(options.authenticators);
    // Not in use, so not listed, when requests need no credentials.
    this.authenticatorNames = Object.freeze(
      options.mode.mode === 'on' ? Object.keys(options.authenticators) : [],
    );
  }

  /** Whether requests must authenticate (`POLICY_GATEWAY_AUTH=on`). */
  get required(): boolean {
    return this.mode.mode === 'on';
  }

  /**
   * Adds the request decoration to the root, so that every route has `request.principal`,
   * and closes the authenticators when the app closes. Call once, before the areas.
   */
  install(app: FastifyInstance): void {
    app.decorateRequest('principal', undefined);
    app.addHook('onClose', async () => {
      await Promise.allSettled(this.#authenticators.map((a) => a.close()));
    });
  }

  /** The set-up of an area whose routes have `access` unless their route config says otherwise. */
  scope(access: Access): ScopeSetup {
    return (scope) => {
      scope.addHook('onRoute', (route) => documentAccess(route, route.config?.access ?? access));
      scope.addHook('onRequest', async (request, reply) => {
        await this.#guard(request, reply, request.routeOptions.config.access ?? access);
      });
    };
  }

  /**
   * Whether the credentials a request was let in with still give it `access`, for an answer
   * that outlives its request (the live tail): checked again while it runs, so that a revoked
   * key, an expired token or a role taken away stops the reading. A check that cannot be made
   * just now counts as refused: the client reconnects, and is let in again if it still may.
   */
  async stillAllowed(request: FastifyRequest, access: Access): Promise<boolean> {
    if (!this.required || access === 'open') return true;
    const header = request.headers.authorization;
    if (header === undefined) return false;
    let principal: Principal | undefined;
    try {
      principal = await this.#principalOf(request, header);
    } catch {
      return false;
    }
    if (principal === undefined) return false;
    return access === 'authenticated' || principal.roles.includes(access);
  }

  async #guard(request: FastifyRequest, reply: FastifyReply, access: Access): Promise<void> {
    if (!this.required) {
      request.principal = ANONYMOUS_PRINCIPAL;
      return;
    }
    const header = request.headers.authorization;
    if (access === 'open') {
      // Read when sent (`/ready` shows more to a known caller), never refused: not even when
      // it cannot be checked, so that a probe sending one still learns the readiness.
      if (header === undefined) return;
      try {
        request.principal = await this.#principalOf(request, header);
      } catch {
        request.principal = undefined;
      }
      return;
    }
    if (header === undefined || header.trim() === '') throw unauthenticated(reply, false);
    const principal = await this.#principalOf(request, header);
    if (principal === undefined) throw unauthenticated(reply, true);
    request.principal = principal;
    if (access !== 'authenticated' && !principal.roles.includes(access)) {
      throw new ApiProblem(
        'FORBIDDEN',
        `this route needs the ${access} role; ${principal.id} has ${principal.roles.length === 0 ? 'none' : principal.roles.join(', ')}`,
      );
    }
  }

  /** The principal the header proves, or undefined (the reason logged). */
  async #principalOf(request: FastifyRequest, header: string): Promise<Principal | undefined> {
    const token = BEARER.exec(header)?.[1];
    if (token === undefined) {
      request.log.info('credentials refused: the Authorization header is not Bearer <token>');
      return undefined;
    }
    const authenticator = this.#authenticators.find((candidate) => candidate.accepts(token));
    if (authenticator === undefined) {
      request.log.info('credentials refused: no authenticator takes a token of this shape');
      return undefined;
    }
    let principal: Principal | undefined;
    let refusal: string | undefined;
    try {
      ({ principal, refusal } = await authenticator.authenticate(token));
    } catch (error) {
      request.log.error({ err: error }, 'the credentials could not be checked');
      throw new ApiProblem(
        'AUTHENTICATION_UNAVAILABLE',
        'the credentials could not be checked just now; retry later',
      );
    }
    if (principal === undefined) {
      request.log.info({ refusal }, `credentials refused: ${refusal ?? 'no reason given'}`);
    }
    return principal;
  }
}
