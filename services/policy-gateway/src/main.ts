/**
 * The gateway's lifecycle: settings → authentication mode → audit store → authenticators →
 * policy engine → app → listen; and on
 * SIGTERM/SIGINT/SIGHUP the reverse — stop accepting, let requests in flight finish (their audit
 * writes included), close the engine and the store, exit 0.
 */
import type { OidcSignIn } from '@policy-gateway/gateway-contract';
import {
  AuditSigningKeyError,
  type LoadedAuditSigningKey,
  loadAuditSigningKey,
} from '@policy-gateway/governance-runtime';
import type { FastifyInstance } from 'fastify';
import pino, { type Logger } from 'pino';
import { admissionOptions, EvaluationAdmission } from './api/evaluation-admission.js';
import { buildApp } from './app.js';
import { type Authenticators, createAuthenticators } from './auth/create-authenticators.js';
import type { OidcSettings } from './auth/oidc-settings.js';
import { authenticationMode, authenticationWarning } from './config/authentication-mode.js';
import type { Settings } from './config/settings.js';
import { UnusableSettingError } from './config/unusable-setting-error.js';
import { createPolicyEngine } from './policy/create-policy-engine.js';
import type { PolicyEngine } from './policy/policy-engine.js';
import type { AuditStore } from './store/audit-store.js';
import { openAuditStore } from './store/open-audit-store.js';

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

export function createLogger(settings: Pick<Settings, 'logLevel' | 'instanceName'>): Logger {
  // An explicit synchronous stdout: with pino's default one, a stdout whose reader has gone
  // (`serve | head`) made the process hang at exit after a clean shutdown.
  const stdout = pino.destination({ dest: 1, sync: true });
  // A log line that cannot be written cannot be reported either; it must not crash the gateway.
  stdout.on('error', () => {});
  return pino({ level: settings.logLevel, base: { instance: settings.instanceName } }, stdout);
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

/** Starts the gateway; rejects (having released everything) if it cannot serve. */
export async function startGateway(settings: Settings, log: Logger): Promise<RunningGateway> {
  // Before anything is opened: a gateway that others could reach unauthenticated by mistake
  // is refused outright (UnusableSettingError: one line saying what to set).
  const mode = authenticationMode(settings.auth, settings.host);
  const store: AuditStore = await openAuditStore(settings.store, log, {
    signingKey: signingKeyOf(settings),
    instance: settings.instanceName,
    checkpointEveryEntries: settings.auditChain.checkpointEveryEntries,
    checkpointIntervalMs: settings.auditChain.checkpointIntervalMs,
  });
  for (const warning of store.warnings) log.warn(warning);
  let auth: Authenticators;
  try {
    auth = await createAuthenticators({
      oidc: settings.oidc,
      apiKeys: store.apiKeys,
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
    engine = await createPolicyEngine({
      ...(settings.policy.opaUrl === undefined ? {} : { opaUrl: settings.policy.opaUrl }),
      bundleDir: settings.policy.bundleDir,
      policyPath: settings.policy.path,
      opaTimeoutMs: settings.policy.opaTimeoutMs,
      workers: settings.evaluation.workers,
      timeoutMs: settings.evaluation.timeoutMs,
    });
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
  if (engine.name === 'embedded' && settings.evaluation.workers === 0) {
    log.warn(
      'POLICY_GATEWAY_EVAL_WORKERS=0: policies are evaluated on the main thread, which serves nothing else meanwhile, and a builtin call that overruns POLICY_GATEWAY_EVAL_TIMEOUT_MS is not stopped; use 1 or more where clients are not trusted',
    );
  }
  const admission = new EvaluationAdmission(admissionOptions(engine.name, settings.evaluation));
  // The app owns the authenticators from here: it closes them with itself.
  const app = await buildApp({
    settings,
    store,
    engine,
    admission,
    logger: log,
    authentication: { mode, authenticators: auth.authenticators },
    oidcSignIn: oidcSignIn(settings.oidc),
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
 * Resolves with the process exit code.
 */
export async function serve(settings: Settings): Promise<number> {
  const log = createLogger(settings);
  const gateway = await startGateway(settings, log);
  return new Promise<number>((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        log.warn(`${signal} received again; still waiting for requests in flight to finish`);
        return;
      }
      stopping = true;
      log.info(`${signal} received; no longer accepting requests, finishing those in flight`);
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
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
    // The terminal that ran the gateway in the foreground closed (`npm start` in a window that
    // was shut): stop as gracefully as on Ctrl-C rather than die mid-request, as Node would.
    process.on('SIGHUP', onSignal);
  });
}
