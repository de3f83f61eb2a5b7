/**
 * The mask policy of the bundle the gateway runs now, for entries not decided with their mask
 * (a failed evaluation, an event uploaded by OPA, a mask policy that reads the event's
 * `decision_id`, `timestamp` or `requested_by`, or OPA deciding): the engine it follows is
 * asked for `data.system.log.mask` with the whole event, so a bundle switched in by polling
 * masks them too, and with OPA it is OPA's own mask policy, the one it masks its logs with.
 *
 * `serve` makes it follow its engine before it takes requests. A write path composed without
 * an engine (a test, a tool) reads the bundle directory's mask policy once, on first use.
 */
import { DECISION_LOG_MASK_PATH } from '../policy/decision-log-mask.js';
import { loadPolicyBundle } from '../policy/policy-bundle.js';
import type { PolicyEngine } from '../policy/policy-engine.js';
import {
  MaskPolicy,
  type MaskPolicyEvent,
  type MaskRuleSource,
  maskRulesOf,
} from './mask-policy.js';
import type { MaskRule } from './mask-rules.js';

export class ActiveMaskPolicy implements MaskRuleSource {
  readonly #bundleDir: string;
  #engine: Pick<PolicyEngine, 'queryDocument'> | undefined;
  #fromBundleDir: Promise<MaskPolicy | null> | undefined;

  constructor(bundleDir: string) {
    this.#bundleDir = bundleDir;
  }

  /**
   * Asks `engine` from now on: give it the engine the routes decide with (the switchable one
   * when bundles are polled).
   *
   * @example
   * store.privacy?.maskPolicy?.follow(engine);
   */
  follow(engine: Pick<PolicyEngine, 'queryDocument'>): void {
    this.#engine = engine;
  }

  async rulesFor(event: MaskPolicyEvent): Promise<readonly MaskRule[]> {
    if (this.#engine !== undefined) {
      return maskRulesOf(
        await this.#engine.queryDocument({ path: DECISION_LOG_MASK_PATH, input: event }),
      );
    }
    this.#fromBundleDir ??= loadPolicyBundle(this.#bundleDir).then(MaskPolicy.fromBundle);
    return (await this.#fromBundleDir)?.rulesFor(event) ?? [];
  }
}
