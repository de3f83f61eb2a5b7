/**
 * The bundle's mask policy, evaluated in-process with `libs/rego` whatever engine decides (the
 * embedded one or an OPA server): `data.system.log.mask` over the decision-log event, as OPA
 * evaluates it for its own decision logs, so one `system.log` package serves both. A bundle
 * without that package masks nothing by policy (in-text redaction still applies).
 */
import { RegoEngine } from '@policy-gateway/rego';
import type { PolicyBundle } from '../policy/policy-bundle.js';
import { type MaskRule, parseMaskRules } from './mask-rules.js';

export const MASK_RULE_PATH = 'data.system.log.mask';

/** The decision-log event a mask policy sees as `input`, in OPA's member names. */
export interface MaskPolicyEvent {
  readonly decision_id: string;
  /** The decision's path, slash-separated without `data.` (OPA's `path`). */
  readonly path: string;
  readonly input: unknown;
  readonly result: unknown;
  readonly timestamp: string;
  readonly requested_by: string | null;
}

/** A mask policy is a handful of rules: these bound a runaway one well below a decision's cost. */
const MAX_STEPS = 100_000;
const TIMEOUT_MS = 250;

export class MaskPolicy {
  readonly #engine: RegoEngine;

  private constructor(engine: RegoEngine) {
    this.#engine = engine;
  }

  /** The bundle's mask policy, or null when no module declares `package system.log`. */
  static fromBundle(bundle: PolicyBundle): MaskPolicy | null {
    if (!bundle.modules.some((module) => /^\s*package\s+system\.log\b/m.test(module.content))) {
      return null;
    }
    const engine = new RegoEngine({
      regoVersion: 'v1',
      maxSteps: MAX_STEPS,
      timeoutMs: TIMEOUT_MS,
    });
    engine.addModules(
      bundle.modules.map((module) => ({ fileName: module.relativePath, source: module.content })),
    );
    engine.setData(bundle.data);
    return new MaskPolicy(engine);
  }

  /** The rules for `event`; throws on an evaluation error or a malformed rule (`MaskPolicyError`). */
  rulesFor(event: MaskPolicyEvent): readonly MaskRule[] {
    return parseMaskRules(this.#engine.evalRule(MASK_RULE_PATH, { input: event }));
  }
}
