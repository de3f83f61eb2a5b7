/**
 * The answer of `POST /policy/evaluate` as read from its committed audit entry, for a fresh
 * decision and a replayed one alike: a retry with the same `Idempotency-Key` is answered from
 * the entry the first request recorded, so it gets the very same `audit_id`, `decision_id`,
 * decision, reasons, policy and latency, never a second evaluation's.
 */
import { type EvaluateResult, POLICY_ENGINES } from '@policy-gateway/gateway-contract';
import type { AuditLogEntry } from '@policy-gateway/governance-runtime';
import type { FastifyReply } from 'fastify';
import { IDEMPOTENCY_KEY_HEADER, IDEMPOTENT_REPLAYED_HEADER } from './idempotency-key.js';
import { ApiProblem } from './problem.js';

type Engine = EvaluateResult['policy']['engine'];

/** The answer of a committed entry that decided (`allow` or `deny`). */
export function decisionAnswer(entry: AuditLogEntry): EvaluateResult {
  const { decision, policyEngine } = entry;
  if (decision === 'error' || !(POLICY_ENGINES as readonly string[]).includes(policyEngine)) {
    // Failed evaluations are answered 503 and hold no key, so none is ever answered here.
    throw new Error(`audit entry ${entry.id} is not an answerable decision`);
  }
  return {
    decision_id: entry.decisionId,
    audit_id: entry.id,
    allow: decision === 'allow',
    decision,
    reasons: [...entry.reasons],
    policy: {
      path: entry.policyPath,
      version: entry.policyVersion,
      engine: policyEngine as Engine,
    },
    latency_ms: entry.latencyMs,
  };
}

/**
 * Answers a request whose key the user already used: the first decision, marked replayed,
 * when the request is the same (same digest); `422 IDEMPOTENCY_KEY_REUSED` when it is not.
 */
export function replayRecorded(
  reply: FastifyReply,
  first: AuditLogEntry,
  requestDigest: string,
): EvaluateResult {
  if (first.requestDigest !== requestDigest) {
    throw new ApiProblem(
      'IDEMPOTENCY_KEY_REUSED',
      `this ${IDEMPOTENCY_KEY_HEADER} was already used by this user_id for a different request (prompt, user_id or context); nothing was evaluated or recorded. Retry only with the same body, and use a new key for a new request`,
      IDEMPOTENCY_KEY_HEADER,
    );
  }
  reply.header(IDEMPOTENT_REPLAYED_HEADER, 'true');
  return decisionAnswer(first);
}
