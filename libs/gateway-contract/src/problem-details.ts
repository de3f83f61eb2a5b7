/**
 * RFC 9457 problem details: the body of every error answer (`application/problem+json`).
 * Members beyond the listed ones are allowed, as the RFC's extension members.
 */
import type { Static } from '@sinclair/typebox';
import * as Type from '@sinclair/typebox/type';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export const ProblemDetailsSchema = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    code: Type.String(),
    field: Type.Optional(
      Type.String({ description: 'The offending body field or query parameter.' }),
    ),
    request_id: Type.Optional(Type.String()),
    audit_id: Type.Optional(
      Type.String({ description: 'The audit entry recording a failed evaluation.' }),
    ),
    decision_id: Type.Optional(Type.String()),
  },
  {
    description: 'RFC 9457 problem details; `code` is listed in the README error catalogue.',
    additionalProperties: true,
  },
);

export type ProblemDetails = Static<typeof ProblemDetailsSchema>;
