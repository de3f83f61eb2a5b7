/**
 * Builds the audit entry of one query of OPA's Data API (`/v1/data/…`, `POST /`): the
 * document's path, the input and the result as answered, in the same entry type as
 * `POST /policy/evaluate`'s, under the action `opa.data`.
 *
 * A Data API document is not always a decision, so the entry's `decision` records what a
 * client reading the document the way OPA's SDKs are used would enforce: `allow` for `true` or
 * an object whose `allow` is `true`, `deny` for anything else (`false`, an undefined document,
 * any other value), `error` when the document could not be evaluated. A document in the
 * gateway's own decision shape (`{allow, reasons}`) keeps its reasons.
 */
import type { AuditDecision, AuditLogEntry, AuditReason } from '@policy-gateway/governance-runtime';
import type { DocumentAnswer } from '../policy/data-document.js';
import { evaluationFromResult } from '../policy/policy-decision.js';
import type { PolicyEngine } from '../policy/policy-engine.js';
import type { EvaluationRequestFacts } from './evaluation-audit-entry.js';

export const DATA_API_ACTION = 'opa.data';

/** The Data API query as recorded. */
export interface DataApiQuery {
  /** The document's reference, e.g. `data.authz.allow`. */
  readonly ref: string;
  /** The input as sent; undefined when the caller sent none. */
  readonly input: unknown;
  /** Whom the decision is about: the token's subject, else the caller. */
  readonly userId: string;
}

export function dataApiAuditEntry(
  engine: Pick<PolicyEngine, 'name' | 'policyVersion'>,
  query: DataApiQuery,
  answer: DocumentAnswer,
  facts: EvaluationRequestFacts,
): AuditLogEntry {
  const { decision, reasons } = decisionOf(answer, query.ref);
  return {
    id: facts.id,
    decisionId: facts.decisionId,
    occurredAt: facts.occurredAt,
    userId: query.userId,
    principalId: facts.principalId,
    action: DATA_API_ACTION,
    decision,
    reasons,
    policyPath: query.ref,
    policyVersion: engine.policyVersion,
    policyEngine: engine.name,
    input: query.input ?? null,
    result: answer.kind === 'defined' ? answer.result : null,
    error: answer.kind === 'error' ? `${answer.error.code}: ${answer.error.message}` : null,
    latencyMs: answer.latencyMs,
    requestId: facts.requestId,
    clientRequestId: facts.clientRequestId,
    clientAddress: facts.clientAddress,
    userAgent: facts.userAgent,
    gatewayInstance: facts.gatewayInstance,
    idempotencyKey: facts.idempotencyKey,
    requestDigest: facts.requestDigest,
  };
}

/** What a client enforcing the document would decide (see the module's header). */
export function decisionOf(
  answer: DocumentAnswer,
  ref: string,
): { decision: AuditDecision; reasons: readonly AuditReason[] } {
  if (answer.kind === 'error') return { decision: 'error', reasons: [] };
  if (answer.kind === 'undefined') return { decision: 'deny', reasons: [] };
  const { result } = answer;
  const asDecision = evaluationFromResult(result, { policyPath: ref, latencyMs: 0 });
  if (asDecision.decision !== 'error') {
    return { decision: asDecision.decision, reasons: asDecision.reasons };
  }
  const grants =
    result === true ||
    (typeof result === 'object' &&
      result !== null &&
      (result as { allow?: unknown }).allow === true);
  return { decision: grants ? 'allow' : 'deny', reasons: [] };
}
