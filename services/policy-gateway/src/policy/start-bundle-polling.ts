/**
 * Puts bundle polling in front of an engine when `POLICY_GATEWAY_BUNDLE_URL` is set: the
 * engine started on the local bundle serves until a polled one is activated. Kept out of
 * `main.ts`, which only calls it.
 */
import { readFile } from 'node:fs/promises';
import type { Settings } from '../config/settings.js';
import { BundlePoller, type BundlePollerOptions } from './bundle-poller.js';
import { bundleVerificationKey } from './bundle-signature.js';
import type { PolicyEngine } from './policy-engine.js';
import { SwitchablePolicyEngine } from './switchable-policy-engine.js';

/** The largest bundle a poll downloads (compressed). */
const MAX_BUNDLE_BYTES = 64 * 1024 * 1024;

export interface BundlePollingDeps {
  /** Starts an engine as the gateway starts its own, on another bundle. */
  readonly startEngine: (bundleFile: string) => Promise<PolicyEngine>;
  readonly log: BundlePollerOptions['log'];
}

/** `engine` itself when no bundle URL is set; else an engine that polls and switches. */
export async function withBundlePolling(
  engine: PolicyEngine,
  policy: Settings['policy'],
  deps: BundlePollingDeps,
): Promise<PolicyEngine> {
  if (policy.bundleUrl === undefined) return engine;
  if (engine.name !== 'embedded') {
    deps.log.warn(
      { url: policy.bundleUrl },
      'POLICY_GATEWAY_BUNDLE_URL is ignored with POLICY_GATEWAY_OPA_URL: OPA polls its own bundles',
    );
    return engine;
  }
  const key =
    policy.bundleVerificationKeyFile === undefined
      ? undefined
      : bundleVerificationKey(await readFile(policy.bundleVerificationKeyFile, 'utf8'));
  let poller: BundlePoller | undefined;
  const switchable = new SwitchablePolicyEngine(engine, async () => poller?.stop());
  poller = new BundlePoller({
    url: policy.bundleUrl,
    ...(policy.bundleToken === undefined ? {} : { token: policy.bundleToken }),
    intervalMs: policy.bundlePollIntervalMs,
    timeoutMs: Math.min(policy.bundlePollIntervalMs, 60_000),
    maxBytes: MAX_BUNDLE_BYTES,
    startEngine: deps.startEngine,
    engine: switchable,
    ...(key === undefined ? {} : { verificationKey: key }),
    log: deps.log,
  });
  poller.start();
  return switchable;
}
