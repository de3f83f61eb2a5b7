/**
 * The bundles a replay may pick, read from the settings: the active bundle directory, the
 * shadow bundle when one is configured, and how the active policy is evaluated (its path, the
 * evaluation budget, the hosts its network builtins may reach), so a candidate is judged as the
 * active policy would be.
 */
import type { Settings } from '../config/settings.js';
import type { ReplayBundles } from './replay-candidate.js';

export function replayBundlesOf(settings: Pick<Settings, 'policy' | 'evaluation'>): ReplayBundles {
  const { policy } = settings;
  return {
    active: policy.bundleDir,
    ...(policy.shadowBundleDir === undefined ? {} : { shadow: policy.shadowBundleDir }),
    policyPath: policy.path,
    timeoutMs: settings.evaluation.timeoutMs,
    ...(policy.httpAllowedHosts === undefined ? {} : { httpAllowedHosts: policy.httpAllowedHosts }),
  };
}
