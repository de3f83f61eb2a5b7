/**
 * The answer of `POST /policy/evaluate` once the decision is committed to the audit trail. A
 * failed evaluation is recorded as decision `error` but answered as a problem (503), so an
 * answer only ever allows or denies.
 */
import { AUDIT_DECISIONS, type AuditDecision } from '@policy-gateway/governance-runtime';
import type { Static } from '@sinclair/typebox';
import * as Type from '@sinclair/typebox/type';
import { AuditReasonSchema } from './audit-reason.js';
import { StringEnum } from './string-enum.js';
import { Uuid } from './string-formats.js';

/** The decisions an answer carries: every audit decision but `error`. */
export const EVALUATE_DECISIONS = Object.freeze(
  AUDIT_DECISIONS.filter(
    (decision): decision is Exclude<AuditDecision, 'error'> => decision !== 'error',
  ),
);

/** The engines a gateway evaluates with: in-process Rego or a remote OPA server. */
export const POLICY_ENGINES = Object.freeze(['embedded', 'opa'] as const);

export const EvaluateResultSchema = Type.Object({
  decision_id: Type.String(),
  audit_id: Uuid({ description: 'Id of the committed audit entry.' }),
  allow: Type.Boolean(),
  decision: StringEnum(EVALUATE_DECISIONS),
  reasons: Type.Array(AuditReasonSchema),
  policy: Type.Object({
    path: Type.String(),
    version: Type.String(),
    engine: StringEnum(POLICY_ENGINES),
  }),
  latency_ms: Type.Number({ description: 'Policy evaluation time.' }),
  enforced: Type.Optional(
    Type.Literal(false, {
      description:
        'Present (false) when the gateway runs in monitor mode: the answer allows whatever the policy decided, and the audit entry records the real decision.',
    }),
  ),
});

export type EvaluateResult = Static<typeof EvaluateResultSchema>;
