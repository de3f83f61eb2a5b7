/**
 * The bundle's decision-log mask policy (`data.system.log.mask`, as OPA names it), evaluated by
 * the engine in the same call as the decision it masks: on the evaluation thread, with the
 * bundle that decided, so that the gateway's main thread only applies the rules it returns and a
 * bundle switched in by polling masks the entries it decides from its first decision on.
 *
 * The answer travels with the evaluation (`PolicyEvaluation.mask`) and is remembered against the
 * decision's result object, which the audit entry carries unchanged to the write path, where
 * the masking step looks it up (`decisionLogMaskOf`). An entry without one (a failed
 * evaluation, an event uploaded by OPA, an engine that does not evaluate masks) is masked by
 * asking the active engine for the document with the whole event.
 */
import type { DocumentAnswer } from './data-document.js';
import type { PolicyBundle } from './policy-bundle.js';
import type { PolicyEvaluation } from './policy-engine.js';
import { attachedToResult, attachmentKey, attachToResult } from './result-attachment.js';

/** `data.system.log.mask`, as a document path. */
export const DECISION_LOG_MASK_PATH: readonly string[] = ['system', 'log', 'mask'];

/**
 * Members of OPA's decision-log event that only the gateway's write path knows (its decision
 * id, clock and client address): a mask policy that names one is evaluated there, with the
 * whole event, rather than beside the decision.
 */
const WRITE_PATH_MEMBERS = /\b(?:decision_id|timestamp|requested_by)\b/;
const MASK_PACKAGE = /^\s*package\s+system\.log\b/m;

/** OPA's `path` of a decision: `data.a.b` → `a/b`. */
export function decisionLogPath(policyPath: string): string {
  return policyPath.replace(/^data\./, '').replaceAll('.', '/');
}

/**
 * Whether the engine can evaluate the bundle's mask policy with each decision: it has one,
 * and none of its modules names a member only the write path knows.
 */
export function masksWithDecision(bundle: PolicyBundle): boolean {
  const modules = bundle.modules.filter((module) => MASK_PACKAGE.test(module.content));
  return modules.length > 0 && !modules.some((module) => WRITE_PATH_MEMBERS.test(module.content));
}

/** The mask answer, attached to the result object of the evaluation it was evaluated with. */
const ANSWER = attachmentKey<DocumentAnswer>('decision-log mask answer');

/**
 * Remembers `evaluation.mask` against its result, for the write path to find; returns the
 * evaluation. A result that is not an object (null for a failed evaluation) carries none.
 */
export function rememberDecisionLogMask(evaluation: PolicyEvaluation): PolicyEvaluation {
  if (evaluation.mask !== undefined) attachToResult(evaluation.result, ANSWER, evaluation.mask);
  return evaluation;
}

/** The mask answer evaluated with the decision whose result this is, if there was one. */
export function decisionLogMaskOf(result: unknown): DocumentAnswer | undefined {
  return attachedToResult(result, ANSWER);
}
