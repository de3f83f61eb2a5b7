/**
 * The rollout members of an audit entry and of `/ready` (issue 14): the decision of a
 * candidate bundle running in shadow beside the active one (recorded, never answered), and
 * whether the gateway enforced its decisions or only monitored them.
 */
import { AUDIT_DECISIONS, AUDIT_SHADOW_FILTERS } from '@policy-gateway/governance-runtime';
import * as Type from '@sinclair/typebox/type';
import { AuditReasonSchema } from './audit-reason.js';
import { NullableString } from './nullable-string.js';
import { StringEnum } from './string-enum.js';

export const AuditShadowDecisionSchema = Type.Object(
  {
    decision: StringEnum(AUDIT_DECISIONS),
    reasons: Type.Array(AuditReasonSchema),
    policy_version: Type.String({ description: "The candidate bundle's version." }),
    latency_ms: Type.Number({ description: "The candidate's evaluation time." }),
    error: NullableString({
      description: 'Why the candidate could not evaluate, when its decision is `error`.',
    }),
  },
  {
    description:
      'What the candidate bundle running in shadow decided on the same request: recorded, never answered or enforced.',
  },
);

/** `shadow` of `GET /governance/audit`. */
export const AuditShadowFilterSchema = StringEnum(AUDIT_SHADOW_FILTERS, {
  description:
    "`recorded`: entries with a shadow decision; `differs`: those whose shadow decision is not the entry's own (a shadow `error` differs).",
});

/** `POLICY_GATEWAY_ENFORCEMENT`: answer as decided, or answer allow and only record. */
export const ENFORCEMENT_MODES = Object.freeze(['enforce', 'monitor'] as const);

/** How this gateway rolls policies out, in `/ready`. */
export const ReadyRolloutSchema = Type.Object({
  enforcement: StringEnum(ENFORCEMENT_MODES, {
    description:
      '`monitor`: every answer allows, whatever the policy decided; entries record the real decision with `enforced: false`.',
  }),
  shadow: Type.Union(
    [
      Type.Object({
        engine: Type.String(),
        path: Type.String(),
        version: Type.String(),
      }),
      Type.Null(),
    ],
    {
      description:
        'The candidate bundle every decision is also evaluated under (recorded, never answered); null when none.',
    },
  ),
});
