/**
 * The gateway's lifecycle: settings → authentication mode → audit store → authenticators →
 * policy engine → app → listen; and on
 * SIGTERM/SIGINT/SIGHUP the reverse — stop accepting, let requests in flight finish (their audit
 * writes included), close the engine and the store, exit 0. With several workers
 * (`POLICY_GATEWAY_WORKERS`), `serve` is a primary (`cluster/cluster-primary.ts`) and each
 * worker runs this lifecycle, stopping when the primary tells it to.
 */
import cluster from 'node:cluster';
import type { OidcSignIn } from '@policy-gateway/gateway-contract';
import {
  AuditSigningKeyError,
  type LoadedAuditSigningKey,
  loadAuditSigningKey,
} from '@policy-gateway/governance-runtime';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { admissionOptions, EvaluationAdmission } from './api/evaluation-admission.js';
import { buildApp } from './app.js';
import { type AuditIntegrityView, scheduledIntegrity } from './audit/audit-integrity-view.js';
import { type Authenticators, createAuthenticators } from './auth/create-authenticators.js';
import type { OidcSettings } from './auth/oidc-settings.js';
import {
  integrityTargets,
  relayedIntegrity,
  VERIFYING_WORKER_SLOT,
} from './cluster/audit-integrity-relay.js';
import { runClusterPrimary, STOP_MESSAGE } from './cluster/cluster-primary.js';
import { answerCalls, channelToPrimary, PrimaryCalls } from './cluster/primary-calls.js';
import { openSharedMemoryStore } from './cluster/shared-memory-store.js';
import { workerCount } from './cluster/worker-count.js';
import type { WorkerIdentity } from './cluster/worker-identity.js';
import { authenticationMode, authenticationWarning } from './config/authentication-mode.js';
import type { Settings } from './config/settings.js';
import { UnusableSettingError } from './config/unusable-setting-error.js';
import { createLogger, flushLog, logFatalErrors } from './logging/gateway-log.js';
import { GatewayMetrics } from './metrics/gateway-metrics.js';
import { MeasuredPolicyEngine } from './metrics/measured-policy-engine.js';
import { clusterMetrics, localMetrics, type MetricsSource } from './metrics/metrics-source.js';
import { createPolicyEngine } from './policy/create-policy-engine.js';
import type { PolicyEngine } from './policy/policy-engine.js';
import type { PolicyRollout } from './policy/policy-rollout.js';
import { withBundlePolling } from './policy/start-bundle-polling.js';
import { startPolicyRollout } from './policy/start-policy-rollout.js';
import { withAuditPrivacy } from './privacy/audit-privacy.js';
import { replayBundlesOf } from './replay/replay-bundles-of.js';
import type { AuditStore } from './store/audit-store.js';
import {
  type AuditStoreObservers,
  groupCommitOf,
  openAuditStore,
} from './store/open-audit-store.js';
import type { TamperEvidenceOptions } from './store/tamper-evidence.js';

export interface RunningGateway {
  readonly app: FastifyInstance;
  /** e.g. `http://127.0.0.1:8080`. */
  readonly url: string;
  /** Graceful stop: in-flight requests finish, then the store and engine close. */
  stop(): Promise<void>;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** What `GET /auth/config` tells browsers: OIDC sign-in when an issuer and a client are set. */
function oidcSignIn(oidc: OidcSettings): OidcSignIn | null {
  if (oidc.issuer === undefined || oidc.workbenchClientId === undefined) return null;
  return {
    issuer: oidc.issuer,
    client_id: oidc.workbenchClientId,
    audience: oidc.audience ?? null,
    scopes: ['openid', 'profile'],
  };
}

/**
 * The checkpoint signing key: the operator's file, or the one generated in the data directory
 * (made on first start). A key that cannot be read or made stops the gateway with one line.
 */
function signingKeyOf(settings: Settings): LoadedAuditSigningKey {
  try {
    return loadAuditSigningKey({
      keyFile: settings.auditChain.signingKeyFile,
      dataDir: settings.dataDir,
    });
  } catch (error) {
    if (!(error instanceof AuditSigningKeyError)) throw error;
    throw new UnusableSettingError(
      ['POLICY_GATEWAY_AUDIT_SIGNING_KEY_FILE', 'POLICY_GATEWAY_DATA_DIR'],
      error.message,
      { cause: error },
    );
  }
}

/** What differs between a gateway serving alone and one worker of several. */
export interface GatewayProcess {
  readonly metrics: GatewayMetrics;
  /** Where `GET /metrics` reads: this process's registry, or every worker's. */
  readonly metricsSource: MetricsSource;
  /** Opens the audit store; `openAuditStore` unless the store is shared through the primary. */
  readonly openStore: (
    tamperEvidence: TamperEvidenceOptions,
    observers: AuditStoreObservers,
  ) => Promise<AuditStore>;
  /** Why one process serves although more cores are there (`/ready` and the log say it). */
  readonly singleProcessReason?: string;
  /**
   * Who verifies the audit trail: this process (when omitted), this process for every worker
   * (`expose`: worker 1, answering the others through the primary), or another (`relayTo`).
   */
  readonly integrity?:
    | { readonly relayTo: PrimaryCalls }
    | { readonly expose: (view: AuditIntegrityView) => void };
}

/** A gateway serving alone: its own metrics and store. */
export function aloneProcess(settings: Settings, log: Logger): GatewayProcess {
  const metrics = new GatewayMetrics(1);
  return {
    metrics,
    metricsSource: localMetrics(metrics),
    openStore: (tamperEvidence, observers) =>
      openAuditStore(settings.store, log, tamperEvidence, observers),
  };
}

/** Starts the gateway; rejects (having released everything) if it cannot serve. */
export async function startGateway(
  settings: Settings,
  log: Logger,
  role: GatewayProcess = aloneProcess(settings, log),
): Promise<RunningGateway> {
  // Before anything is opened: a gateway that others could reach unauthenticated by mistake
  // is refused outright (UnusableSettingError: one line saying what to set).
  const mode = authenticationMode(settings.auth, settings.host);
  const { metrics } = role;
  // Masking outermost on each process's write path (issue 13), whichever store it opened.
  const opened = await withAuditPrivacy(
    await role.openStore(
      {
        signingKey: signingKeyOf(settings),
        instance: settings.instanceName,
        checkpointEveryEntries: settings.auditChain.checkpointEveryEntries,
        checkpointIntervalMs: settings.auditChain.checkpointIntervalMs,
      },
      { writeObserver: metrics.writeObserver },
    ),
    settings,
    log,
  );
  const store: AuditStore =
    role.singleProcessReason === undefined
      ? opened
      : { ...opened, warnings: [...opened.warnings, role.singleProcessReason] };
  metrics.watchWriteQueue(store.writeQueue);
  for (const warning of store.warnings) log.warn(warning);
  store.maintenance?.start({
    partitionInterval: settings.retention.partitionInterval,
    retentionDays: settings.retention.days,
    accessLogRetentionDays: settings.retention.accessLogDays,
    signingKey: signingKeyOf(settings).key,
    instance: settings.instanceName,
    log,
  });
  let auth: Authenticators;
  try {
    auth = await createAuthenticators({
      oidc: settings.oidc,
      apiKeys: store.apiKeys,
      apiKeyCache: { ...settings.apiKeyCache, store: settings.store },
      required: mode.mode === 'on',
      log,
    });
  } catch (error) {
    await store.close();
    throw error;
  }
  // Caveats about keys matter only where keys are asked for.
  if (mode.mode === 'on') for (const warning of auth.warnings) log.warn(warning);
  let engine: PolicyEngine;
  try {
    const startEngine = (bundleDir: string) =>
      createPolicyEngine({
        ...(settings.policy.opaUrl === undefined ? {} : { opaUrl: settings.policy.opaUrl }),
        bundleDir,
        policyPath: settings.policy.path,
        opaTimeoutMs: settings.policy.opaTimeoutMs,
        workers: settings.evaluation.workers,
        timeoutMs: settings.evaluation.timeoutMs,
        // Each decision answered with its bundle's mask, on the evaluation thread (issue 13).
        decisionLogMask: settings.privacy.masking === 'on',
        ...(settings.policy.httpAllowedHosts === undefined
          ? {}
          : { httpAllowedHosts: settings.policy.httpAllowedHosts }),
      }).then((created) => new MeasuredPolicyEngine(created, metrics));
    engine = await withBundlePolling(
      await startEngine(settings.policy.bundleDir),
      settings.policy,
      {
        startEngine,
        log,
      },
    );
  } catch (error) {
    await Promise.allSettled([auth.close(), store.close()]);
    const variable = settings.policy.opaUrl
      ? 'POLICY_GATEWAY_OPA_URL'
      : 'POLICY_GATEWAY_POLICY_BUNDLE_DIR';
    const where = `${variable} ${settings.policy.opaUrl ?? settings.policy.bundleDir}`;
    throw new UnusableSettingError(
      [variable],
      `cannot start the policy engine (${where}): ${messageOf(error)}`,
      { cause: error },
    );
  }
  // Entries not decided with their mask ask the active engine's mask policy.
  store.privacy?.maskPolicy?.follow(engine);
  if (engine.name === 'embedded' && settings.evaluation.workers === 0) {
    log.warn(
      'POLICY_GATEWAY_EVAL_WORKERS=0: policies are evaluated on the main thread, which serves nothing else meanwhile, and a builtin call that overruns POLICY_GATEWAY_EVAL_TIMEOUT_MS is not stopped; use 1 or more where clients are not trusted',
    );
  }
  let rollout: PolicyRollout;
  try {
    rollout = await startPolicyRollout(settings, log);
  } catch (error) {
    await Promise.allSettled([engine.close(), auth.close(), store.close()]);
    throw error;
  }
  const admission = new EvaluationAdmission(admissionOptions(engine.name, settings.evaluation));
  const integrity =
    role.integrity !== undefined && 'relayTo' in role.integrity
      ? relayedIntegrity(role.integrity.relayTo)
      : scheduledIntegrity(store.trail, {
          intervalSeconds: settings.auditChain.verifyIntervalSeconds,
          fullIntervalSeconds: settings.auditChain.verifyFullIntervalSeconds,
          observer: metrics.verificationObserver,
          log,
        });
  if (role.integrity !== undefined && 'expose' in role.integrity) role.integrity.expose(integrity);
  // The app owns the authenticators from here: it closes them with itself.
  const app = await buildApp({
    settings,
    store,
    engine,
    rollout,
    admission,
    integrity,
    logger: log,
    authentication: { mode, authenticators: auth.authenticators },
    oidcSignIn: oidcSignIn(settings.oidc),
    metrics: { metrics, source: role.metricsSource },
    replay: { bundles: replayBundlesOf(settings) },
  });
  try {
    await app.listen({ host: settings.host, port: settings.port });
  } catch (error) {
    await app.close();
    throw new UnusableSettingError(
      ['POLICY_GATEWAY_HOST', 'POLICY_GATEWAY_PORT'],
      `cannot listen on ${settings.host}:${settings.port} (POLICY_GATEWAY_HOST, POLICY_GATEWAY_PORT): ${messageOf(error)}`,
      { cause: error },
    );
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : settings.port;
  const url = `http://${settings.host.includes(':') ? `[${settings.host}]` : settings.host}:${port}`;
  log.info(
    {
      url,
      store: { backend: store.backend, durable: store.durable },
      policy: { engine: engine.name, path: engine.policyPath, version: engine.policyVersion },
      evaluation: settings.evaluation,
      auth: {
        mode: mode.mode,
        unsafe: mode.unsafe,
        authenticators: Object.keys(auth.authenticators),
        allowedHosts: settings.allowedHosts,
      },
    },
    `policy-gateway listening on ${url} (audit store: ${store.backend}${store.durable ? '' : ', NOT durable'}; policy engine: ${engine.name}; authentication: ${mode.mode === 'on' ? `on (${Object.keys(auth.authenticators).join(', ')})` : 'OFF'})`,
  );
  const warning = authenticationWarning(mode);
  if (warning !== undefined) log.warn(warning);
  return { app, url, stop: () => app.close() };
}

/**
 * `policy-gateway serve`: runs until SIGTERM, SIGINT or SIGHUP, then shuts down gracefully.
 * Resolves with the process exit code. With more than one worker this process becomes the
 * cluster's primary; a worker (forked by it, running this same command) serves.
 */
export async function serve(settings: Settings): Promise<number> {
  if (cluster.isWorker) return serveAsWorker(settings);
  const { count, singleProcessReason } = workerCount(settings);
  const log = createLogger(settings);
  const stopLoggingFatalErrors = logFatalErrors(log);
  try {
    if (count > 1) {
      // Once, before the workers: a key generated now is the one every worker reads, and a key
      // file that cannot be used is said once.
      signingKeyOf(settings);
      return await runClusterPrimary(settings, log, count);
    }
    const alone = aloneProcess(settings, log);
    const gateway = await startGateway(settings, log, {
      ...alone,
      ...(singleProcessReason !== undefined && { singleProcessReason }),
    });
    return await untilStopped(gateway, log);
  } finally {
    stopLoggingFatalErrors();
    // The last request logs and the "stopped" line are written before the process exits.
    await flushLog(log);
  }
}

/** One worker of several: told who it is by the primary, stopped by it or by a signal. */
async function serveAsWorker(settings: Settings): Promise<number> {
  const channel = channelToPrimary();
  const primary = new PrimaryCalls(channel);
  // Listened for from the start: a stop asked for while this worker is still starting is
  // carried out as soon as it serves.
  let stopAsked = false;
  let stop: ((cause: 'primary') => void) | undefined;
  let stopAnswering: (() => void) | undefined;
  let workerLog: Logger | undefined;
  let stopLoggingFatalErrors: (() => void) | undefined;
  const stopListening = channel.listen((message) => {
    if ((message as typeof STOP_MESSAGE | null)?.kind !== STOP_MESSAGE.kind) return;
    stopAsked = true;
    stop?.('primary');
  });
  try {
    const identity = await primary.call<WorkerIdentity>('cluster', 'identity');
    const worker: Settings = { ...settings, instanceName: identity.instanceName };
    const log = createLogger(worker);
    workerLog = log;
    stopLoggingFatalErrors = logFatalErrors(log);
    const metrics = new GatewayMetrics(identity.slot);
    const gateway = await startGateway(worker, log, {
      metrics,
      metricsSource: clusterMetrics(metrics, primary),
      integrity:
        identity.slot === VERIFYING_WORKER_SLOT
          ? {
              expose: (view) => {
                stopAnswering = answerCalls(channel, integrityTargets(view));
              },
            }
          : { relayTo: primary },
      openStore: (tamperEvidence, observers) =>
        settings.store.backend === 'memory'
          ? openSharedMemoryStore(primary, channel, settings.store.maxEntries, {
              tamperEvidence,
              // The group commit settings, as openAuditStore gives a memory store of its own.
              batching: groupCommitOf(settings.store),
              log,
              ...observers,
            })
          : openAuditStore(settings.store, log, tamperEvidence, observers),
    });
    return await untilStopped(gateway, log, (onStop) => {
      stop = onStop;
      if (stopAsked) onStop('primary');
    });
  } finally {
    stopAnswering?.();
    stopListening();
    primary.close();
    stopLoggingFatalErrors?.();
    if (workerLog !== undefined) await flushLog(workerLog);
  }
}

/**
 * Waits for SIGTERM, SIGINT or SIGHUP (or what `alsoStopOn` reports), then stops the gateway
 * gracefully; resolves with the exit code.
 */
function untilStopped(
  gateway: RunningGateway,
  log: Logger,
  alsoStopOn?: (stop: (cause: 'primary') => void) => void,
): Promise<number> {
  return new Promise<number>((resolve) => {
    let stopping = false;
    const onStop = (cause: NodeJS.Signals | 'primary') => {
      if (stopping) {
        // The primary's request after a signal the worker received itself says nothing new.
        if (cause !== 'primary') {
          log.warn(`${cause} received again; still waiting for requests in flight to finish`);
        }
        return;
      }
      stopping = true;
      log.info(
        `${cause === 'primary' ? 'the primary process asked to stop' : `${cause} received`}; no longer accepting requests, finishing those in flight`,
      );
      gateway.stop().then(
        () => {
          log.info('stopped: requests finished, audit store and policy engine closed');
          resolve(0);
        },
        (error: unknown) => {
          log.error({ err: error }, 'error while stopping');
          resolve(1);
        },
      );
    };
    process.on('SIGTERM', onStop);
    process.on('SIGINT', onStop);
    // The terminal that ran the gateway in the foreground closed (`npm start` in a window that
    // was shut): stop as gracefully as on Ctrl-C rather than die mid-request, as Node would.
    process.on('SIGHUP', onStop);
    alsoStopOn?.(onStop);
  });
}
