/**
 * `buildApp`: the Fastify application with its routes, validation, problem responses and
 * CORS, over an already-open audit store and policy engine. Separate from `listen` so tests
 * drive it with `app.inject`; closing the app closes the store and the engine. The root sets
 * up what every route shares; the routes live in one encapsulated plugin per area
 * (`api/routes.ts`).
 */
import { randomUUID } from 'node:crypto';
import cors from '@fastify/cors';
import type { OidcSignIn } from '@policy-gateway/gateway-contract';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { requireAllowedHost } from './api/allowed-hosts.js';
import {
  AUTHENTICATION_OFF,
  AuthenticationGuard,
  type AuthenticationOptions,
} from './api/authentication.js';
import { refuseRequestsNodeWouldAnswer } from './api/client-error-handler.js';
import { connectionServerOptions, limitConnections } from './api/connection-limits.js';
import { requireCompletePreflight } from './api/cors-preflight.js';
import { installErrorHandling } from './api/error-handler.js';
import type { EvaluationAdmission } from './api/evaluation-admission.js';
import { answerFrameworkError } from './api/framework-error-handler.js';
import { installJsonBodyParser } from './api/json-body-parser.js';
import { metricsRoutes } from './api/metrics-routes.js';
import { ApiProblem } from './api/problem.js';
import { type AreaScopes, type RouteDeps, registerRoutes } from './api/routes.js';
import { createValidatorCompiler } from './api/validators.js';
import type { AuditIntegrityView } from './audit/audit-integrity-view.js';
import type { Settings } from './config/settings.js';
import type { GatewayMetrics } from './metrics/gateway-metrics.js';
import { countHttpRequests } from './metrics/http-metrics.js';
import type { MetricsSource } from './metrics/metrics-source.js';
import type { PolicyEngine } from './policy/policy-engine.js';
import type { PolicyRollout } from './policy/policy-rollout.js';
import type { AuditStore } from './store/audit-store.js';

export const SERVICE_VERSION = '0.1.0';

export type AppSettings = Pick<
  Settings,
  | 'corsOrigins'
  | 'bodyLimitBytes'
  | 'maxPromptBytes'
  | 'maxContextBytes'
  | 'maxJsonDepth'
  | 'trustProxy'
  | 'connections'
  | 'auditPageMaxBytes'
  | 'cursorSecret'
  | 'instanceName'
  | 'allowedHosts'
> &
  Partial<Pick<Settings, 'decisionLogs'>>;

export interface AppDeps {
  readonly settings: AppSettings;
  readonly store: AuditStore;
  readonly engine: PolicyEngine;
  /** Monitor mode, and a shadow bundle (closed with the app); enforcing, no shadow, when omitted. */
  readonly rollout?: PolicyRollout;
  /** Limits on evaluations at once (503 with Retry-After beyond); none when omitted, as in tests. */
  readonly admission?: EvaluationAdmission;
  /** A pino logger; none (silent) when omitted, as in tests. */
  readonly logger?: FastifyBaseLogger;
  /** Hooks or parsers to add inside one area's scope only, after its authentication guard. */
  readonly scopes?: AreaScopes;
  /** Whether callers must authenticate, and with what; off (everyone anonymous) when omitted. */
  readonly authentication?: AuthenticationOptions;
  /** The OIDC sign-in that `GET /auth/config` offers browsers; none when omitted. */
  readonly oidcSignIn?: OidcSignIn | null;
  /** The gateway's verification of its trail; one that verifies only when asked when omitted. */
  readonly integrity?: AuditIntegrityView;
  /** The bundles a replay may pick (issue 17); the shipped bundle, no shadow, when omitted. */
  readonly replay?: RouteDeps['replay'];
  /** What counts requests, and what `GET /metrics` answers with; no `/metrics` when omitted. */
  readonly metrics?: { readonly metrics: GatewayMetrics; readonly source: MetricsSource };
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { settings } = deps;
  const app = Fastify({
    ...(deps.logger === undefined ? { logger: false } : { loggerInstance: deps.logger }),
    bodyLimit: settings.bodyLimitBytes,
    // Addresses and CIDRs, or false: Fastify's proxy-addr takes either as it is.
    trustProxy: settings.trustProxy === false ? false : [...settings.trustProxy],
    ...connectionServerOptions(settings.connections),
    frameworkErrors: answerFrameworkError,
    // The gateway's own id, whatever the client sent: a client's X-Request-Id is recorded
    // beside it (client_request_id), never in its place (api/client-request-id.ts).
    genReqId: () => randomUUID(),
    // Keep-alive connections that sit idle must not hold up a graceful shutdown.
    forceCloseConnections: 'idle',
    // Answered below as a problem, like every other error.
    return503OnClosing: false,
  }) as unknown as FastifyInstance;
  limitConnections(app, settings.connections);
  refuseRequestsNodeWouldAnswer(app.server);
  app.setValidatorCompiler(createValidatorCompiler());
  // Fastify parses text/plain by default; the API speaks JSON only, so anything else is 415.
  app.removeContentTypeParser('text/plain');
  installJsonBodyParser(app, { maxDepth: settings.maxJsonDepth });
  installErrorHandling(app);
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    if (closing) {
      // A request on a kept-alive connection after shutdown began: send it elsewhere.
      reply.header('connection', 'close');
      throw new ApiProblem('SHUTTING_DOWN', 'this gateway is shutting down; retry the request');
    }
  });
  app.addHook('onSend', async (_request, reply) => {
    // A request that was in flight when shutdown began closes its connection after the answer,
    // otherwise a kept-alive client connection would hold the server open.
    if (closing) reply.header('connection', 'close');
  });
  if (deps.metrics !== undefined) countHttpRequests(app, deps.metrics.metrics);
  // Before CORS and every area: a request through a rebound domain learns nothing.
  app.addHook('onRequest', requireAllowedHost(settings.allowedHosts));
  app.addHook('onRequest', requireCompletePreflight);
  await app.register(cors, {
    origin: settings.corsOrigins.includes('*') ? true : [...settings.corsOrigins],
    methods: ['GET', 'POST'],
    // Headers a browser client must be able to read: the request id to quote, whether an
    // Idempotency-Key replayed an earlier decision, and when to retry a refused request.
    exposedHeaders: ['x-request-id', 'idempotent-replayed', 'retry-after'],
  });
  const guard = new AuthenticationGuard(deps.authentication ?? AUTHENTICATION_OFF);
  await registerRoutes(
    app,
    {
      store: deps.store,
      engine: deps.engine,
      ...(deps.rollout === undefined ? {} : { rollout: deps.rollout }),
      ...(deps.admission === undefined ? {} : { admission: deps.admission }),
      maxPromptBytes: settings.maxPromptBytes,
      maxContextBytes: settings.maxContextBytes,
      maxJsonDepth: settings.maxJsonDepth,
      ...(settings.decisionLogs === undefined ? {} : { decisionLogs: settings.decisionLogs }),
      auditPageMaxBytes: settings.auditPageMaxBytes,
      cursorSecret: settings.cursorSecret,
      instanceName: settings.instanceName,
      version: SERVICE_VERSION,
      guard,
      oidcSignIn: deps.oidcSignIn ?? null,
      ...(deps.integrity !== undefined && { integrity: deps.integrity }),
      ...(deps.replay !== undefined && { replay: deps.replay }),
    },
    deps.scopes,
  );
  if (deps.metrics !== undefined) {
    // Its own scope, guarded like an area: the route's config says who may scrape.
    const { source } = deps.metrics;
    await app.register(async (scope) => {
      guard.scope('authenticated')(scope);
      await scope.register(metricsRoutes, { source });
    });
  }
  app.addHook('onClose', async () => {
    await Promise.allSettled([
      deps.engine.close(),
      deps.rollout?.shadow?.close(),
      deps.store.close(),
    ]);
  });
  return app;
}
