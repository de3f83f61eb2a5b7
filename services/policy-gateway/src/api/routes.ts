/**
 * The API as three areas, each an encapsulated Fastify plugin registered under its prefix:
 * evaluation (`/policy`), audit reads (`/governance/audit`) and the service's own routes
 * (`/health`, `/ready`, `/openapi.json`). What the root sets up before them — error
 * handling, the validator compiler, CORS, the request-id and shutdown hooks — applies to
 * every area; a hook or content-type parser added inside an area's scope applies to that
 * area only.
 */
import { AuditLogCursorSigner } from '@policy-gateway/governance-runtime';
import type { FastifyInstance, FastifyPluginAsync, FastifyPluginOptions } from 'fastify';
import type { PolicyEngine } from '../policy/policy-engine.js';
import type { AuditStore } from '../store/audit-store.js';
import { AuditApiMapper } from './audit-api-mapper.js';
import { auditRoutes } from './audit-routes.js';
import { evaluateRoute } from './evaluate-route.js';
import type { EvaluationAdmission } from './evaluation-admission.js';
import { collectRoutes } from './openapi.js';
import { serviceRoutes } from './service-routes.js';

export interface RouteDeps {
  readonly store: AuditStore;
  readonly engine: PolicyEngine;
  readonly admission?: EvaluationAdmission;
  readonly maxPromptBytes: number;
  readonly maxContextBytes: number;
  /** Budget of one page of audit entries, in bytes. */
  readonly auditPageMaxBytes: number;
  /** The key that signs audit page cursors. */
  readonly cursorSecret: string;
  readonly instanceName: string;
  readonly version: string;
}

export type ApiArea = 'evaluation' | 'audit' | 'service';

/**
 * Runs inside one area's scope before its routes are added, so what it adds stays in that
 * scope. Authentication is one such set-up per area that needs it:
 *
 * @example
 * { audit: (scope) => scope.addHook('onRequest', authenticate) }
 */
export type ScopeSetup = (scope: FastifyInstance) => void | Promise<void>;

export type AreaScopes = Readonly<Partial<Record<ApiArea, ScopeSetup>>>;

/** The area's plugin, preceded by its set-up in the same (the area's) scope. */
function inScope<Options extends FastifyPluginOptions>(
  plugin: FastifyPluginAsync<Options>,
  setup: ScopeSetup | undefined,
): FastifyPluginAsync<Options> {
  if (setup === undefined) return plugin;
  return async (scope, options) => {
    await setup(scope);
    await plugin(scope, options);
  };
}

export async function registerRoutes(
  app: FastifyInstance,
  deps: RouteDeps,
  scopes: AreaScopes = {},
): Promise<void> {
  const documented = collectRoutes(app);
  const audit = new AuditApiMapper(deps.store.repository, {
    pageMaxBytes: deps.auditPageMaxBytes,
    cursorSigner: new AuditLogCursorSigner(deps.cursorSecret),
  });
  await app.register(inScope(evaluateRoute, scopes.evaluation), {
    prefix: '/policy',
    engine: deps.engine,
    ...(deps.admission === undefined ? {} : { admission: deps.admission }),
    audit,
    maxPromptBytes: deps.maxPromptBytes,
    maxContextBytes: deps.maxContextBytes,
    instanceName: deps.instanceName,
  });
  await app.register(inScope(auditRoutes, scopes.audit), {
    prefix: '/governance/audit',
    audit,
  });
  await app.register(inScope(serviceRoutes, scopes.service), {
    prefix: '',
    store: deps.store,
    engine: deps.engine,
    routes: documented,
    version: deps.version,
  });
}
