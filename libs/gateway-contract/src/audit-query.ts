/**
 * The request side of the audit routes: the query string of `GET /governance/audit` (filters
 * combine with AND) and the path parameter of `GET /governance/audit/{id}`.
 */
import { AUDIT_QUERY_MAX_LIMIT } from '@policy-gateway/governance-runtime';
import type { Static } from '@sinclair/typebox';
import * as Type from '@sinclair/typebox/type';
import { AuditDecisionSchema } from './audit-entry.js';
import { AuditShadowFilterSchema } from './audit-entry-rollout.js';
import { DateTime, Uuid } from './string-formats.js';

/** Entries per page when the query does not say. */
export const AUDIT_PAGE_DEFAULT_LIMIT = 50;

export const RFC3339_EXAMPLE = '2026-11-28T07:00:00Z';

export const AuditQuerySchema = Type.Object(
  {
    limit: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: AUDIT_QUERY_MAX_LIMIT,
        default: AUDIT_PAGE_DEFAULT_LIMIT,
        description: 'Entries per page.',
      }),
    ),
    cursor: Type.Optional(
      Type.String({
        minLength: 1,
        description: '`next_cursor` of the previous page, verbatim.',
      }),
    ),
    user_id: Type.Optional(Type.String({ minLength: 1 })),
    decision: Type.Optional(AuditDecisionSchema),
    policy: Type.Optional(
      Type.String({
        minLength: 1,
        description: 'Policy path, e.g. `data.policy_gateway.decision`.',
      }),
    ),
    since: Type.Optional(
      DateTime({
        description: `Inclusive lower bound on \`occurred_at\` (RFC 3339, e.g. ${RFC3339_EXAMPLE}).`,
      }),
    ),
    until: Type.Optional(
      DateTime({ description: 'Exclusive upper bound on `occurred_at` (RFC 3339).' }),
    ),
    decision_id: Type.Optional(Type.String({ minLength: 1 })),
    action: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          'What was decided on: `policy.evaluate`, `opa.data` (the Data API) or `opa.decision_log` (decisions OPA servers uploaded).',
      }),
    ),
    gateway_instance: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          'The gateway process that decided, or the OPA instance id of an uploaded decision.',
      }),
    ),
    shadow: Type.Optional(AuditShadowFilterSchema),
  },
  { additionalProperties: false },
);

/** The query as a client sends it: every parameter optional. */
export type AuditQuery = Static<typeof AuditQuerySchema>;

export const AuditIdParamsSchema = Type.Object(
  { id: Uuid({ description: 'The audit entry id.' }) },
  { additionalProperties: false },
);

export type AuditIdParams = Static<typeof AuditIdParamsSchema>;
