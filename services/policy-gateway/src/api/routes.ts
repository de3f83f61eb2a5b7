/**
 * The API as areas, each an encapsulated Fastify plugin registered under its prefix:
 * evaluation (`/policy`), OPA's Data API (`/v1/data`, `POST /`) and decision-log uploads (`/logs`), audit reads (`/governance/audit`, and who read it:
 * `/governance/access-log`), who the caller is (`/auth`) and
 * the service's own routes (`/health`, `/ready`, `/openapi.json`). What the root sets up
 * before them — error handling, the validator compiler, CORS, the request-id, Host and
 * shutdown hooks — applies to every area; a hook or content-type parser added inside an
 * area's scope applies to that area only. Each area's scope starts with the authentication
 * guard for the access `AREA_ACCESS` declares for it.
 */
import type { OidcSignIn } from '@policy-gateway/gateway-contract';
import { AuditLogCursorSigner } from '@policy-gateway/governance-runtime';
import { MemoryAuditStatsReader } from '@policy-gateway/governance-runtime/memory';
import type { FastifyInstance, FastifyPluginAsync, FastifyPluginOptions } from 'fastify';
import { AuditCommitFeed } from '../audit/audit-commit-feed.js';
import { AuditIntegrityMonitor } from '../audit/audit-integrity-monitor.js';
import { type AuditIntegrityView, localIntegrity } from '../audit/audit-integrity-view.js';
import { ApiKeyManager } from '../auth/api-key-manager.js';
import { DEFAULT_POLICY_BUNDLE_DIR } from '../policy/create-policy-engine.js';
import type { PolicyEngine } from '../policy/policy-engine.js';
import { ENFORCING, type PolicyRollout } from '../policy/policy-rollout.js';
import { SealedOriginalStates } from '../privacy/sealed-original-states.js';
import { MemoryReplayStore } from '../replay/memory-replay-store.js';
import { PostgresReplayStore } from '../replay/postgres-replay-store.js';
import type { ReplayBundles } from '../replay/replay-candidate.js';
import { type ReplayLimits, ReplayRunner } from '../replay/replay-runner.js';
import type { AuditStore } from '../store/audit-store.js';
import { CommitSignal } from '../store/commit-signal.js';
import { AccessLogApiMapper } from './access-log-api-mapper.js';
import { installAccessLogRecording } from './access-log-recording.js';
import { accessLogRoutes } from './access-log-routes.js';
import { adminKeyRoutes } from './admin-key-routes.js';
import { AREA_ACCESS } from './area-access.js';
import { AuditApiMapper } from './audit-api-mapper.js';
import { auditExportRoutes } from './audit-export-routes.js';
import { auditIntegrityRoutes } from './audit-integrity-routes.js';
import { auditRoutes } from './audit-routes.js';
import { AuditStatsApiMapper } from './audit-stats-api-mapper.js';
import { auditStatsRoutes } from './audit-stats-routes.js';
import { auditStreamRoutes } from './audit-stream-routes.js';
import { authRoutes } from './auth-routes.js';
import type { AuthenticationGuard } from './authentication.js';
import { evaluateRoute } from './evaluate-route.js';
import type { EvaluationAdmission } from './evaluation-admission.js';
import { opaDataRoutes } from './opa-data-routes.js';
import {
  type DecisionLogIngestionSettings,
  opaDecisionLogRoutes,
} from './opa-decision-log-routes.js';
import { collectRoutes } from './openapi.js';
import { replayRoutes } from './replay-routes.js';
import { sealedOriginalRoutes } from './sealed-original-routes.js';
import { serviceRoutes } from './service-routes.js';
import { subjectErasureRoutes } from './subject-erasure-routes.js';

export interface RouteDeps {
  readonly store: AuditStore;
  readonly engine: PolicyEngine;
  /** Monitor mode and the shadow bundle; enforcing, without a shadow, when omitted. */
  readonly rollout?: PolicyRollout;
  readonly admission?: EvaluationAdmission;
  readonly maxPromptBytes: number;
  readonly maxContextBytes: number;
  readonly maxJsonDepth: number;
  /** Where OPA servers upload decision logs, and how much; `/logs`, 8 MiB when omitted. */
  readonly decisionLogs?: DecisionLogIngestionSettings;
  /** Budget of one page of audit entries, in bytes. */
  readonly auditPageMaxBytes: number;
  /** The key that signs audit page cursors. */
  readonly cursorSecret: string;
  readonly instanceName: string;
  readonly version: string;
  /** Who may call what (`AREA_ACCESS`); sets `request.principal`. */
  readonly guard: AuthenticationGuard;
  /** The OIDC sign-in `GET /auth/config` offers browsers, when an issuer is configured. */
  readonly oidcSignIn: OidcSignIn | null;
  /**
   * The gateway's verification of its trail (`serve` gives it, with its schedule); when
   * omitted, a monitor of the store's trail that verifies only when asked.
   */
  readonly integrity?: AuditIntegrityView;
  /**
   * The bundles a replay may pick and how its candidate is evaluated; the shipped bundle at the
   * engine's path, no shadow, when omitted (as in tests).
   */
  readonly replay?: { readonly bundles: ReplayBundles; readonly limits?: ReplayLimits };
}

const DEFAULT_DECISION_LOG_INGESTION: DecisionLogIngestionSettings = Object.freeze({
  path: '/logs',
  maxBytes: 8_388_608,
});

export type ApiArea = 'evaluation' | 'opa' | 'audit' | 'auth' | 'admin' | 'service';

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
  // The live tails hear of this process's commits from its write path, and of other
  // processes' from the store.
  const feed = new AuditCommitFeed();
  const store: AuditStore = {
    ...deps.store,
    repository: new CommitSignal(deps.store.repository, feed),
  };
  const heardElsewhere = deps.store.commits?.subscribe(() => feed.notify());
  app.addHook('onClose', async () => heardElsewhere?.());
  // Before the areas, so that every route declaring `config.accessLog` gets its hooks.
  installAccessLogRecording(app, {
    accessLog: store.accessLog,
    instanceName: deps.instanceName,
  });
  const cursorSigner = new AuditLogCursorSigner(deps.cursorSecret);
  deps.guard.install(app);
  /** The area's guard, then any set-up the caller adds to the same scope. */
  const setupOf = (area: ApiArea): ScopeSetup => {
    const guard = deps.guard.scope(AREA_ACCESS[area]);
    const extra = scopes[area];
    if (extra === undefined) return guard;
    return async (scope) => {
      await guard(scope);
      await extra(scope);
    };
  };
  const audit = new AuditApiMapper(store.repository, {
    pageMaxBytes: deps.auditPageMaxBytes,
    cursorSigner,
    originals: new SealedOriginalStates(store.privacy?.sealer?.keyStore ?? null),
  });
  await app.register(inScope(evaluateRoute, setupOf('evaluation')), {
    prefix: '/policy',
    engine: deps.engine,
    rollout: deps.rollout ?? ENFORCING,
    ...(deps.admission === undefined ? {} : { admission: deps.admission }),
    audit,
    maxPromptBytes: deps.maxPromptBytes,
    maxContextBytes: deps.maxContextBytes,
    instanceName: deps.instanceName,
    ...(store.privacy === undefined ? {} : { requestDigestKey: store.privacy.hmacKey }),
  });
  // OPA's Data API at the root (`/v1/data/…`, `POST /`), as OPA's clients expect it.
  await app.register(inScope(opaDataRoutes, setupOf('opa')), {
    prefix: '',
    engine: deps.engine,
    rollout: deps.rollout ?? ENFORCING,
    ...(deps.admission === undefined ? {} : { admission: deps.admission }),
    audit,
    instanceName: deps.instanceName,
    version: deps.version,
  });
  // OPA's decision-log uploads: the same role as the Data API, in a scope of their own (their
  // body parser inflates gzip within its own bound).
  await app.register(inScope(opaDecisionLogRoutes, setupOf('opa')), {
    prefix: '',
    store: store,
    maxJsonDepth: deps.maxJsonDepth,
    ...(deps.decisionLogs ?? DEFAULT_DECISION_LOG_INGESTION),
  });
  await app.register(inScope(auditRoutes, setupOf('audit')), {
    prefix: '/governance/audit',
    audit,
  });
  // The export: the list's filters and role, every entry, streamed (issue 17).
  await app.register(inScope(auditExportRoutes, setupOf('audit')), {
    prefix: '/governance/audit',
    audit,
    trail: store.trail,
  });
  // The live tail: the list's filters and role, entries as they are committed (issue 17).
  await app.register(inScope(auditStreamRoutes, setupOf('audit')), {
    prefix: '/governance/audit',
    audit,
    feed,
    stillAllowed: (request) => deps.guard.stillAllowed(request, AREA_ACCESS.audit),
  });
  // The overview's stats (issue 17): the audit area's scope and prefix, from the store's roll-ups.
  await app.register(inScope(auditStatsRoutes, setupOf('audit')), {
    prefix: '/governance/audit',
    stats: new AuditStatsApiMapper(
      deps.store.stats ?? new MemoryAuditStatsReader(deps.store.repository),
    ),
  });
  // Tamper evidence: in the audit area's scope (the same role), beside the audit reads.
  await app.register(inScope(auditIntegrityRoutes, setupOf('audit')), {
    prefix: '/governance/audit',
    store: store,
    integrity:
      deps.integrity ?? localIntegrity(new AuditIntegrityMonitor(store.trail, { log: app.log })),
  });
  // Sealed originals: the audit area's prefix, the privacy-officer role (route config).
  await app.register(inScope(sealedOriginalRoutes, setupOf('audit')), {
    prefix: '/governance/audit',
    repository: store.repository,
    privacy: store.privacy,
  });
  // Replays (impact analysis, issue 17): the audit area's role, kept apart from the trail.
  const replays = new ReplayRunner({
    repository: store.repository,
    store: store.db === undefined ? new MemoryReplayStore() : PostgresReplayStore.over(store.db),
    bundles: deps.replay?.bundles ?? {
      active: DEFAULT_POLICY_BUNDLE_DIR,
      policyPath: deps.engine.policyPath,
    },
    ...(deps.replay?.limits === undefined ? {} : { limits: deps.replay.limits }),
    log: app.log,
  });
  app.addHook('onClose', () => replays.close());
  await app.register(inScope(replayRoutes, setupOf('audit')), {
    prefix: '/governance/replays',
    runner: replays,
  });
  // Who read the trail: in the audit area's scope (the same role), under its own prefix.
  await app.register(inScope(accessLogRoutes, setupOf('audit')), {
    prefix: '/governance/access-log',
    accessLog: new AccessLogApiMapper(store.accessLog, cursorSigner),
  });
  await app.register(inScope(authRoutes, setupOf('auth')), {
    prefix: '/auth',
    required: deps.guard.required,
    oidc: deps.oidcSignIn,
  });
  await app.register(inScope(adminKeyRoutes, setupOf('admin')), {
    prefix: '/admin',
    keys: new ApiKeyManager(store.apiKeys),
  });
  await app.register(inScope(subjectErasureRoutes, setupOf('admin')), {
    prefix: '/admin',
    privacy: store.privacy,
  });
  await app.register(inScope(serviceRoutes, setupOf('service')), {
    prefix: '',
    store: store,
    engine: deps.engine,
    ...(deps.rollout === undefined ? {} : { rollout: deps.rollout }),
    guard: deps.guard,
    routes: documented,
    version: deps.version,
  });
}
