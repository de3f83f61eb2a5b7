/**
 * Builds the audit entry of one `POST /policy/evaluate`: what was asked, what the policy
 * answered (or why it could not), and who asked, through which gateway.
 */
import type { AuditLogEntry } from '@policy-gateway/governance-runtime';
import type { PolicyEngine, PolicyEvaluation, PolicyInput } from '../policy/policy-engine.js';

export const EVALUATE_ACTION = 'policy.evaluate';

export interface EvaluationRequestFacts {
  readonly id: string;
  readonly decisionId: string;
  readonly occurredAt: string;
  /** The gateway's own id of the request. */
  readonly requestId: string | null;
  /** The client's `X-Request-Id`, when it sent a sane one. */
  readonly clientRequestId: string | null;
  readonly clientAddress: string | null;
  readonly userAgent: string | null;
  readonly gatewayInstance: string;
  /** Who asked: the authenticated principal's id (`anonymous` when authentication is off). */
  readonly principalId: string;
  /** The client's `Idempotency-Key`, and the digest of the request it came with. */
  readonly idempotencyKey: string | null;
  readonly requestDigest: string | null;
}

export function evaluationAuditEntry(
  engine: Pick<PolicyEngine, 'name' | 'policyPath' | 'policyVersion'>,
  input: PolicyInput,
  evaluation: PolicyEvaluation,
  facts: EvaluationRequestFacts,
): AuditLogEntry {
  return {
    id: facts.id,
    decisionId: facts.decisionId,
    occurredAt: facts.occurredAt,
    userId: input.user_id,
    principalId: facts.principalId,
    action: EVALUATE_ACTION,
    decision: evaluation.decision,
    reasons: evaluation.reasons,
    policyPath: engine.policyPath,
    policyVersion: engine.policyVersion,
    policyEngine: engine.name,
    input,
    result: evaluation.result ?? null,
    error: evaluation.decision === 'error' ? (evaluation.error ?? 'evaluation failed') : null,
    latencyMs: evaluation.latencyMs,
    requestId: facts.requestId,
    clientRequestId: facts.clientRequestId,
    clientAddress: facts.clientAddress,
    userAgent: facts.userAgent,
    gatewayInstance: facts.gatewayInstance,
    idempotencyKey: facts.idempotencyKey,
    requestDigest: facts.requestDigest,
  };
}

/** The evaluation recorded when the engine broke its promise never to reject. */
export function failedEvaluation(error: unknown, latencyMs: number): PolicyEvaluation {
  return {
    decision: 'error',
    allow: false,
    reasons: [],
    result: null,
    error: `policy engine failed: ${error instanceof Error ? error.message : String(error)}`,
    latencyMs,
  };
}
