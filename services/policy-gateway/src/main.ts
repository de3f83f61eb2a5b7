/**
 * The gateway's lifecycle: settings → audit store → policy engine → app → listen; and on
 * SIGTERM/SIGINT/SIGHUP the reverse — stop accepting, let requests in flight finish (their audit
 * writes included), close the engine and the store, exit 0.
 */
import type { FastifyInstance } from 'fastify';
import pino, { type Logger } from 'pino';
import { admissionOptions, EvaluationAdmission } from './api/evaluation-admission.js';
import { buildApp } from './app.js';
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

/** Starts the gateway; rejects (having released everything) if it cannot serve. */
export async function startGateway(settings: Settings, log: Logger): Promise<RunningGateway> {
  const store: AuditStore = await openAuditStore(settings.store, log);
  for (const warning of store.warnings) log.warn(warning);
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
    await store.close();
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
  const admission = new EvaluationAdmission(admissionOptions(engine.name, settings.evaluation));
  const app = await buildApp({ settings, store, engine, admission, logger: log });
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
    },
    `policy-gateway listening on ${url} (audit store: ${store.backend}${store.durable ? '' : ', NOT durable'}; policy engine: ${engine.name})`,
  );
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
