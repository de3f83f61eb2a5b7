/**
 * The evaluation area, a plugin registered under `/policy`: `POST /policy/evaluate` asks the
 * policy engine, commits the audit entry, and only then answers. A decision that could not
 * be recorded, or an evaluation that failed, is never returned as a decision (fail-closed:
 * 503). A request with an `Idempotency-Key` the user already decided under is answered the
 * recorded decision, and records nothing (README "Retries and idempotency").
 */
import { randomUUID } from 'node:crypto';
import { auditTimestampNow, newAuditLogEntryId } from '@policy-gateway/governance-runtime';
import type { FastifyPluginAsync } from 'fastify';
import { evaluationAuditEntry, failedEvaluation } from '../audit/evaluation-audit-entry.js';
import { requestDigest } from '../audit/request-digest.js';
import type { PolicyEngine, PolicyEvaluation, PolicyInput } from '../policy/policy-engine.js';
import type { PolicyRollout } from '../policy/policy-rollout.js';
import { normalizePolicyInput, recordedPolicyInput } from '../policy/prompt-normalization.js';
import type { AuditHmacKey } from '../privacy/audit-hmac-key.js';
import type { AuditApiMapper } from './audit-api-mapper.js';
import { clientAddressOf } from './client-address.js';
import { clientRequestIdOf } from './client-request-id.js';
import { checkContextSize } from './context-size.js';
import { decisionUserId } from './decision-subject.js';
import { type EvaluationAdmission, evaluationCost } from './evaluation-admission.js';
import { EvaluationRefusals } from './evaluation-refusal.js';
import { IDEMPOTENCY_KEY_HEADER, idempotencyKeyOf } from './idempotency-key.js';
import { ApiProblem } from './problem.js';
import { decisionAnswer, recordDecision, replayRecorded } from './recorded-decision.js';
import {
  evaluateBodySchema,
  evaluateHeadersSchema,
  evaluateResponseSchema,
  problemResponse,
} from './schemas.js';

interface EvaluateBody {
  readonly prompt: string;
  readonly user_id: string;
  readonly context?: Record<string, unknown>;
}

export interface EvaluateRouteOptions {
  readonly engine: PolicyEngine;
  /** Limits on evaluations at once; beyond them 503 with Retry-After, nothing recorded. */
  readonly admission?: EvaluationAdmission;
  readonly audit: AuditApiMapper;
  /** Monitor mode, and the shadow evaluated beside every decision. */
  readonly rollout: PolicyRollout;
  readonly maxPromptBytes: number;
  readonly maxContextBytes: number;
  readonly instanceName: string;
  /** Keys the request digest (`hmac-sha256:`) where the trail masks what it stores. */
  readonly requestDigestKey?: AuditHmacKey;
}

async function evaluateSafely(engine: PolicyEngine, input: PolicyInput): Promise<PolicyEvaluation> {
  const started = performance.now();
  try {
    return await engine.evaluate(input);
  } catch (error) {
    // The port promises never to reject; if an adapter does, it is still a recorded `error`.
    return failedEvaluation(error, performance.now() - started);
  }
}

export const evaluateRoute: FastifyPluginAsync<EvaluateRouteOptions> = async (app, deps) => {
  const { admission } = deps;
  const refusals = new EvaluationRefusals(app.log);
  app.post<{ Body: EvaluateBody }>(
    '/evaluate',
    {
      ...(admission === undefined ? {} : { onRequest: refusals.early(admission) }),
      schema: {
        summary: 'Evaluate the policy on a prompt and record the decision',
        description:
          'Evaluates, commits the audit entry, then answers. 503 when the evaluation failed (recorded with decision `error`), the entry could not be committed (nothing is decided), or too many evaluations are already running or waiting (`TOO_MANY_EVALUATIONS` with `Retry-After`; nothing evaluated or recorded). With an `Idempotency-Key` the user already decided under, answers that decision (header `Idempotent-Replayed: true`) and records nothing. With a shadow bundle, the request is also evaluated under it and its decision recorded in the entry, never answered. In monitor mode (`POLICY_GATEWAY_ENFORCEMENT=monitor`) every answer allows, with `enforced: false`, a failed evaluation included; the entry records the real decision.',
        headers: evaluateHeadersSchema,
        body: evaluateBodySchema,
        response: {
          200: evaluateResponseSchema,
          400: problemResponse(
            'Malformed JSON, a repeated key, nesting too deep, a number out of range, or a field missing, empty, unknown or mistyped',
          ),
          413: problemResponse('Body, prompt or context too large'),
          415: problemResponse('Content-Type is not application/json'),
          403: problemResponse(
            "The credentials lack the evaluator role, or user_id is not the token's subject and the token may not act for other users",
          ),
          422: problemResponse(
            'The Idempotency-Key was already used by this user_id for a different request',
          ),
          503: problemResponse(
            'POLICY_EVALUATION_FAILED (recorded as decision `error`), AUDIT_STORE_UNAVAILABLE or AUDIT_COMMIT_UNKNOWN (the entry could not be committed: nothing is decided), or TOO_MANY_EVALUATIONS (too many evaluations running or waiting, in total or for this client address: nothing evaluated or recorded; retry after `Retry-After`)',
          ),
        },
      },
    },
    async (request, reply) => {
      const { principal } = request;
      // The guard identifies every caller of this area; its absence is a wiring fault.
      if (principal === undefined) {
        throw new ApiProblem('INTERNAL_ERROR', 'the caller was not identified');
      }
      const { prompt, context } = request.body;
      const user_id = decisionUserId(principal, request.body.user_id);
      const idempotencyKey = idempotencyKeyOf(request.headers);
      const promptBytes = Buffer.byteLength(prompt, 'utf8');
      if (promptBytes > deps.maxPromptBytes) {
        throw new ApiProblem(
          'PROMPT_TOO_LARGE',
          `prompt is ${promptBytes} bytes; the limit is ${deps.maxPromptBytes} bytes (POLICY_GATEWAY_MAX_PROMPT_BYTES)`,
          'prompt',
        );
      }
      checkContextSize(context, deps.maxContextBytes);
      const input: PolicyInput = { prompt, user_id, context: context ?? {} };
      // The policy sees the prompt's normalised forms beside it; the entry keeps only which
      // normalisations changed it (`prompt-normalization.ts`). The digest is of the request.
      const evaluated = normalizePolicyInput(input);
      const keyed =
        idempotencyKey === undefined
          ? undefined
          : { key: idempotencyKey, digest: requestDigest(input, deps.requestDigestKey) };
      if (keyed !== undefined) {
        const first = await deps.audit.findByIdempotencyKey(user_id, keyed.key);
        if (first !== undefined) return replayRecorded(reply, first, keyed.digest);
      }
      const id = newAuditLogEntryId();
      const occurredAt = auditTimestampNow();
      const admitted = admission?.admit(request.ip, evaluationCost(prompt));
      if (admitted?.refused === true) return refusals.refuse(reply, admitted);
      const userAgent = request.headers['user-agent'];
      const { entry, outcome } = await recordDecision({
        audit: deps.audit,
        rollout: deps.rollout,
        ...(admitted === undefined ? {} : { admitted }),
        ask: () => evaluateSafely(deps.engine, evaluated),
        askShadow: (shadow) => shadow.evaluate(evaluated),
        entry: (evaluation) =>
          evaluationAuditEntry(deps.engine, recordedPolicyInput(evaluated), evaluation, {
            id,
            decisionId: evaluation.decisionId ?? randomUUID(),
            occurredAt,
            requestId: request.id,
            clientRequestId: clientRequestIdOf(request.headers),
            clientAddress: clientAddressOf(request),
            userAgent: userAgent ?? null,
            gatewayInstance: deps.instanceName,
            principalId: principal.id,
            idempotencyKey: keyed?.key ?? null,
            requestDigest: keyed?.digest ?? null,
          }),
      });
      if (outcome === 'key-taken' && keyed !== undefined) {
        // A request with the same key committed first while this one was being evaluated.
        const first = await deps.audit.findByIdempotencyKey(user_id, keyed.key);
        if (first !== undefined) return replayRecorded(reply, first, keyed.digest);
        throw new ApiProblem(
          'AUDIT_STORE_UNAVAILABLE',
          `the decision recorded under this ${IDEMPOTENCY_KEY_HEADER} could not be read back; retry with the same key`,
        );
      }
      const { decisionId } = entry;
      if (entry.decision === 'error') {
        if (entry.enforced === false) {
          request.log.warn(
            { auditId: id, decisionId, error: entry.error },
            'policy evaluation failed; recorded as decision error and answered allow (monitor mode)',
          );
          return decisionAnswer(entry);
        }
        request.log.warn(
          { auditId: id, decisionId, error: entry.error },
          'policy evaluation failed; recorded as decision error and answered 503',
        );
        throw new ApiProblem(
          'POLICY_EVALUATION_FAILED',
          `the policy could not be evaluated (${entry.error ?? 'unknown error'}); no decision was made, treat it as a denial`,
          undefined,
          { audit_id: id, decision_id: decisionId },
        );
      }
      return decisionAnswer(entry);
    },
  );
};
