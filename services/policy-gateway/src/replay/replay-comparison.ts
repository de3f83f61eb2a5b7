/**
 * One recorded decision against the candidate's: the input the candidate is given (the stored
 * input, normalised again as the gateway normalises every input), and whether, and how, its
 * decision differs from the recorded one.
 */
import type {
  ReplayChange,
  ReplayResult,
  ReplayTransition,
} from '@policy-gateway/gateway-contract';
import type { AuditLogEntry, AuditReason } from '@policy-gateway/governance-runtime';
import type { PolicyEvaluation, PolicyInput } from '../policy/policy-engine.js';
import { normalizePolicyInput } from '../policy/prompt-normalization.js';

/** Prompt decisions are replayed; Data API queries and decisions uploaded by OPA are not. */
export const REPLAYED_ACTION = 'policy.evaluate';

/**
 * The input to give the candidate, or undefined for an entry that is not a prompt decision. The
 * entry keeps only which normalisations changed the prompt, so the normalised forms are computed
 * again from the stored (possibly masked) prompt.
 */
export function replayInput(entry: AuditLogEntry): PolicyInput | undefined {
  if (entry.action !== REPLAYED_ACTION) return undefined;
  const input = entry.input;
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return undefined;
  const { prompt, user_id, context } = input as Record<string, unknown>;
  if (typeof prompt !== 'string') return undefined;
  return normalizePolicyInput({
    prompt,
    user_id: typeof user_id === 'string' ? user_id : entry.userId,
    context:
      typeof context === 'object' && context !== null && !Array.isArray(context)
        ? (context as Record<string, unknown>)
        : {},
  });
}

/** Whether what the entry stores is not what was decided on: masked, redacted or erased. */
export function isMasked(entry: AuditLogEntry): boolean {
  const masking = entry.masking;
  if (masking === undefined) return false;
  return masking.erased.length > 0 || masking.masked.length > 0 || masking.redacted.length > 0;
}

/** How the candidate's decision differs from the recorded one; undefined when it does not. */
export function transitionOf(
  original: ReplayResult,
  candidate: ReplayResult,
): ReplayTransition | undefined {
  if (original.decision !== candidate.decision) {
    if (original.decision === 'error' || candidate.decision === 'error') return 'error';
    return original.decision === 'allow' ? 'allow_to_deny' : 'deny_to_allow';
  }
  if (original.decision === 'error') return undefined;
  return reasonCodes(original.reasons) === reasonCodes(candidate.reasons)
    ? undefined
    : 'reasons_changed';
}

/** The recorded decision as a replay shows it. */
export function originalResult(entry: AuditLogEntry): ReplayResult {
  return {
    decision: entry.decision,
    reasons: entry.reasons.map(copyReason),
    policy_version: entry.policyVersion,
    error: entry.error,
  };
}

export function candidateResult(evaluation: PolicyEvaluation, version: string): ReplayResult {
  return {
    decision: evaluation.decision,
    reasons: evaluation.reasons.map(copyReason),
    policy_version: version,
    error: evaluation.decision === 'error' ? (evaluation.error ?? 'evaluation failed') : null,
  };
}

/** The change, or undefined when the candidate decides as recorded. */
export function compareDecision(
  entry: AuditLogEntry,
  candidate: ReplayResult,
): ReplayChange | undefined {
  const original = originalResult(entry);
  const transition = transitionOf(original, candidate);
  if (transition === undefined) return undefined;
  return {
    audit_id: entry.id,
    occurred_at: entry.occurredAt,
    user_id: entry.userId,
    transition,
    masked: isMasked(entry),
    original,
    candidate,
  };
}

/** Reason codes as a sorted multiset: the order a policy lists them in is not a change. */
function reasonCodes(reasons: readonly AuditReason[]): string {
  return JSON.stringify(reasons.map((reason) => reason.code).sort());
}

function copyReason(reason: AuditReason): AuditReason {
  return { code: reason.code, message: reason.message, severity: reason.severity };
}
