/** Registers every route of the API; the per-route modules hold the handlers and schemas. */
import type { FastifyInstance } from 'fastify';
import type { PolicyEngine } from '../policy/policy-engine.js';
import type { AuditStore } from '../store/audit-store.js';
import { AuditApiMapper } from './audit-api-mapper.js';
import { registerAuditRoutes } from './audit-routes.js';
import { registerEvaluateRoute } from './evaluate-route.js';
import { registerHealthRoutes } from './health-routes.js';
import { collectRoutes, registerOpenApiRoute } from './openapi.js';

export interface RouteDeps {
  readonly store: AuditStore;
  readonly engine: PolicyEngine;
  readonly maxPromptBytes: number;
  readonly instanceName: string;
  readonly version: string;
}

export function registerRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const documented = collectRoutes(app);
  const audit = new AuditApiMapper(deps.store.repository);
  registerEvaluateRoute(app, {
    engine: deps.engine,
    audit,
    maxPromptBytes: deps.maxPromptBytes,
    instanceName: deps.instanceName,
  });
  registerAuditRoutes(app, audit);
  registerHealthRoutes(app, deps.store, deps.engine);
  registerOpenApiRoute(app, documented, deps.version);
}
