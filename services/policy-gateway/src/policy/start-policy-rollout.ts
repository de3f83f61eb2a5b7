/**
 * Starts what `POLICY_GATEWAY_ENFORCEMENT` and `POLICY_GATEWAY_SHADOW_BUNDLE_DIR` ask for: the
 * candidate bundle's engine (embedded, on worker threads of its own, at the active policy's
 * path), and the warning at start while monitor mode is on. Kept out of `main.ts`, which only
 * calls it.
 */
import type { Settings } from '../config/settings.js';
import { UnusableSettingError } from '../config/unusable-setting-error.js';
import { createPolicyEngine } from './create-policy-engine.js';
import { MONITOR_MODE_WARNING, type PolicyRollout } from './policy-rollout.js';
import { ShadowPolicy } from './shadow-policy.js';

interface RolloutLog {
  info(object: object, message: string): void;
  warn(message: string): void;
}

/** @throws UnusableSettingError naming POLICY_GATEWAY_SHADOW_BUNDLE_DIR when the candidate does not start. */
export async function startPolicyRollout(
  settings: Pick<Settings, 'policy' | 'evaluation'>,
  log: RolloutLog,
): Promise<PolicyRollout> {
  const { enforcement, shadowBundleDir } = settings.policy;
  if (enforcement === 'monitor') log.warn(MONITOR_MODE_WARNING);
  if (shadowBundleDir === undefined) return { enforcement };
  let shadow: ShadowPolicy;
  try {
    shadow = new ShadowPolicy(
      await createPolicyEngine({
        bundleDir: shadowBundleDir,
        policyPath: settings.policy.path,
        opaTimeoutMs: settings.policy.opaTimeoutMs,
        workers: settings.evaluation.workers,
        timeoutMs: settings.evaluation.timeoutMs,
        ...(settings.policy.httpAllowedHosts === undefined
          ? {}
          : { httpAllowedHosts: settings.policy.httpAllowedHosts }),
      }),
    );
  } catch (error) {
    throw new UnusableSettingError(
      ['POLICY_GATEWAY_SHADOW_BUNDLE_DIR'],
      `cannot start the shadow bundle (POLICY_GATEWAY_SHADOW_BUNDLE_DIR ${shadowBundleDir}): ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  log.info(
    { shadow: { bundle: shadowBundleDir, version: shadow.engine.policyVersion } },
    `shadow rollout: every decision is also evaluated under ${shadowBundleDir} (version ${shadow.engine.policyVersion}) and recorded in its entry, never answered`,
  );
  return { enforcement, shadow };
}
