/**
 * Chooses the policy engine adapter from settings: a remote OPA server when a URL is
 * configured, else the embedded Rego engine over the shipped bundle, on worker threads when
 * there are any (so that evaluations never hold up the main thread).
 */
import { SETTING_DECLARATIONS } from '../config/setting-declarations.js';
import { OpaPolicyEngine } from './opa-policy-engine.js';
import type { PolicyEngine } from './policy-engine.js';

/**
 * The bundle shipped with the package, `services/policy-gateway/policies/`: the default of
 * `POLICY_GATEWAY_POLICY_BUNDLE_DIR`.
 */
export const DEFAULT_POLICY_BUNDLE_DIR: string = SETTING_DECLARATIONS.policy.bundleDir.default;

/** The decision document of the shipped bundle: the default of `POLICY_GATEWAY_POLICY_PATH`. */
export const DEFAULT_POLICY_PATH: string = SETTING_DECLARATIONS.policy.path.default;

export interface CreatePolicyEngineOptions {
  /** Base URL of an OPA server, e.g. `http://opa:8181`. Unset: the embedded engine. */
  readonly opaUrl?: string;
  /** The Rego bundle the embedded engine loads (ignored for OPA, which has its own). */
  readonly bundleDir: string;
  /** Dotted data path of the decision document, e.g. `data.policy_gateway.decision`. */
  readonly policyPath: string;
  /** How long to wait for OPA before deciding `error`. */
  readonly opaTimeoutMs: number;
  /** Worker threads of the embedded engine; 0 or unset evaluates on the calling thread. */
  readonly workers?: number;
  /** Time budget of one embedded evaluation (the engine's default, 1 s, when unset). */
  readonly timeoutMs?: number;
  /**
   * Evaluate the bundle's `data.system.log.mask` with each embedded decision, for the audit
   * trail's masking (`decision-log-mask.ts`). OPA is asked for its mask by the write path.
   */
  readonly decisionLogMask?: boolean;
  /** Hosts the embedded engine's `http.send` and `net.lookup_ip_addr` may reach; unset: none. */
  readonly httpAllowedHosts?: readonly string[];
}

/**
 * Builds and starts the engine; rejects when it cannot start (a bundle that does not
 * compile names `file:line:col`).
 *
 * @example
 * const engine = await createPolicyEngine({ bundleDir: DEFAULT_POLICY_BUNDLE_DIR,
 *   policyPath: DEFAULT_POLICY_PATH, opaTimeoutMs: 2000 });
 */
export async function createPolicyEngine(
  options: CreatePolicyEngineOptions,
): Promise<PolicyEngine> {
  if (options.opaUrl !== undefined && options.opaUrl !== '') {
    return OpaPolicyEngine.start({
      url: options.opaUrl,
      policyPath: options.policyPath,
      timeoutMs: options.opaTimeoutMs,
    });
  }
  const embedded = {
    bundleDir: options.bundleDir,
    policyPath: options.policyPath,
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ...(options.decisionLogMask === undefined ? {} : { decisionLogMask: options.decisionLogMask }),
    ...(options.httpAllowedHosts === undefined
      ? {}
      : { httpAllowedHosts: options.httpAllowedHosts }),
  };
  if (options.workers !== undefined && options.workers > 0) {
    const { WorkerPolicyEngine } = await import('./worker-policy-engine.js');
    return WorkerPolicyEngine.start({ ...embedded, threads: options.workers });
  }
  // Loaded on demand: a gateway that delegates to OPA never loads the Rego engine.
  const { EmbeddedPolicyEngine } = await import('./embedded-policy-engine.js');
  return EmbeddedPolicyEngine.start(embedded);
}
