/**
 * Where the masking step gets the mask rules of an entry that was not decided with its mask
 * (`decision-log-mask.ts`): a `MaskRuleSource`, asked with OPA's decision-log event. Two
 * sources: the active engine (`ActiveMaskPolicy`), and `MaskPolicy`, a bundle's
 * `data.system.log.mask` evaluated in-process with `libs/rego`, for a write path composed
 * without an engine. A bundle without the `system.log` package masks nothing by policy
 * (in-text redaction still applies).
 */
import { RegoEngine } from '@policy-gateway/rego';
import type { DocumentAnswer } from '../policy/data-document.js';
import type { PolicyBundle } from '../policy/policy-bundle.js';
import { MaskPolicyError, type MaskRule, parseMaskRules } from './mask-rules.js';

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

/** What answers the mask rules for an event. */
export interface MaskRuleSource {
  /** Rejects on an evaluation error or a malformed rule (`MaskPolicyError`). */
  rulesFor(event: MaskPolicyEvent): Promise<readonly MaskRule[]>;
}

/** The rules of an engine's answer for `data.system.log.mask`; throws `MaskPolicyError`. */
export function maskRulesOf(answer: DocumentAnswer): readonly MaskRule[] {
  if (answer.kind === 'error') {
    throw new MaskPolicyError(`${MASK_RULE_PATH} failed: ${answer.error.message}`);
  }
  return answer.kind === 'defined' ? parseMaskRules(answer.result) : [];
}

/** A mask policy is a handful of rules: these bound a runaway one well below a decision's cost. */
const MAX_STEPS = 100_000;
const TIMEOUT_MS = 250;

export class MaskPolicy implements MaskRuleSource {
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

  async rulesFor(event: MaskPolicyEvent): Promise<readonly MaskRule[]> {
    return parseMaskRules(this.#engine.evalRule(MASK_RULE_PATH, { input: event }));
  }
}
