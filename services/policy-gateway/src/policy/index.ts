/**
 * The policy layer's public surface for the rest of the service. The embedded adapter is
 * deliberately absent: `createPolicyEngine` loads it on demand, so importing this module
 * does not load the Rego engine (import `embedded-policy-engine.js` directly to use it).
 */
export {
  type CreatePolicyEngineOptions,
  createPolicyEngine,
  DEFAULT_POLICY_BUNDLE_DIR,
  DEFAULT_POLICY_PATH,
} from './create-policy-engine.js';
export { OpaPolicyEngine } from './opa-policy-engine.js';
export { bundleDigest, loadPolicyBundle, PolicyBundleError } from './policy-bundle.js';
export type { PolicyEngine, PolicyEvaluation, PolicyInput } from './policy-engine.js';
