/**
 * A decision recorded before it is answered, for every route that decides (`POST
 * /policy/evaluate`, OPA's Data API): the evaluation, with the shadow's beside it, runs in its
 * admission turn, the entry is committed, and only then may the route answer (fail-closed).
 * And the answer of `POST /policy/evaluate` as read from its committed audit entry, for a
 * fresh decision and a replayed one alike: a retry with the same `Idempotency-Key` is answered
 * from the entry the first request recorded, so it gets the very same `audit_id`,
 * `decision_id`, decision, reasons, policy and latency, never a second evaluation's.
 */
import { type EvaluateResult, POLICY_ENGINES } from '@policy-gateway/gateway-contract';
import type { AuditLogEntry, AuditShadowDecision } from '@policy-gateway/governance-runtime';
import type { FastifyReply } from 'fastify';
import { type PolicyRollout, withRollout } from '../policy/policy-rollout.js';
import type { ShadowPolicy } from '../policy/shadow-policy.js';
import type { AuditApiMapper } from './audit-api-mapper.js';
import type { Admitted } from './evaluation-admission.js';
import { IDEMPOTENCY_KEY_HEADER, IDEMPOTENT_REPLAYED_HEADER } from './idempotency-key.js';
import { ApiProblem } from './problem.js';

/** One decision to evaluate and record, as a route describes it. */
export interface DecisionToRecord<Answer> {
  readonly audit: AuditApiMapper;
  readonly rollout: PolicyRollout;
  /** The admission turn the evaluations run in; none when evaluations are not limited. */
  readonly admitted?: Admitted;
  /** Asks the active policy; never rejects. */
  readonly ask: () => Promise<Answer>;
  /** Asks the shadow policy the same; never rejects. */
  readonly askShadow: (shadow: ShadowPolicy) => Promise<AuditShadowDecision>;
  /** The entry recording the active policy's answer. */
  readonly entry: (answer: Answer) => AuditLogEntry;
}

export interface RecordedDecision<Answer> {
  readonly answer: Answer;
  /** As committed: with the shadow's decision, and `enforced: false` in monitor mode. */
  readonly entry: AuditLogEntry;
  /** `key-taken`: not stored, a request with the same idempotency key committed first. */
  readonly outcome: 'committed' | 'key-taken';
}

/**
 * Evaluates under the active policy and, at the same time, under the shadow, in one admission
 * turn (the shadow's cost counts against the same limits), then commits the entry. The answer
 * waits for the slower of the two evaluations, since the entry holds both. Rejects with a
 * problem when the entry could not be committed: the route must then answer nothing.
 */
export async function recordDecision<Answer>(
  decision: DecisionToRecord<Answer>,
): Promise<RecordedDecision<Answer>> {
  const { shadow, enforcement } = decision.rollout;
  const evaluate = (): Promise<[Answer, AuditShadowDecision | undefined]> =>
    shadow === undefined
      ? decision.ask().then((answer) => [answer, undefined])
      : Promise.all([decision.ask(), decision.askShadow(shadow)]);
  const [answer, shadowDecision] = await (decision.admitted === undefined
    ? evaluate()
    : decision.admitted.run(evaluate));
  const entry = withRollout(decision.entry(answer), enforcement, shadowDecision);
  const outcome = await decision.audit.append(entry);
  return { answer, entry, outcome };
}

type Engine = EvaluateResult['policy']['engine'];

/**
 * The answer of a committed entry that decided (`allow` or `deny`); an entry of monitor mode
 * (`enforced: false`) is answered allow, with its reasons, whatever it decided.
 */
export function decisionAnswer(entry: AuditLogEntry): EvaluateResult {
  const { decision, policyEngine } = entry;
  const monitored = entry.enforced === false;
  if (
    (decision === 'error' && !monitored) ||
    !(POLICY_ENGINES as readonly string[]).includes(policyEngine)
  ) {
    // Failed evaluations are answered 503 (allow in monitor mode) and hold no key, so none is
    // ever replayed here.
    throw new Error(`audit entry ${entry.id} is not an answerable decision`);
  }
  const answered = monitored || decision === 'allow' ? 'allow' : 'deny';
  return {
    decision_id: entry.decisionId,
    audit_id: entry.id,
    allow: answered === 'allow',
    decision: answered,
    reasons: decision === 'error' ? [] : [...entry.reasons],
    policy: {
      path: entry.policyPath,
      version: entry.policyVersion,
      engine: policyEngine as Engine,
    },
    latency_ms: entry.latencyMs,
    ...(monitored && { enforced: false as const }),
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
