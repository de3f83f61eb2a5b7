/**
 * The HTTP API's schemas under the names the routes use. They are the contract's
 * (`@policy-gateway/gateway-contract`), the same objects the Workbench checks its answers with;
 * routes validate and serialise with them and `/openapi.json` is generated from the routes as
 * registered, so the service, its document and the Workbench cannot drift apart.
 */
import {
  AccessLogPageSchema,
  AccessLogQuerySchema,
  AuditEntrySchema,
  AuditIdParamsSchema,
  AuditPageSchema,
  AuditQuerySchema,
  AuditReasonSchema,
  EvaluateHeadersSchema,
  EvaluateRequestSchema,
  EvaluateResultSchema,
  HealthStatusSchema,
  PROBLEM_CONTENT_TYPE,
  ProblemDetailsSchema,
  ReadyStatusSchema,
} from '@policy-gateway/gateway-contract';

export { RFC3339_EXAMPLE } from '@policy-gateway/gateway-contract';

export const reasonSchema = AuditReasonSchema;
export const problemSchema = ProblemDetailsSchema;
export const evaluateBodySchema = EvaluateRequestSchema;
export const evaluateHeadersSchema = EvaluateHeadersSchema;
export const evaluateResponseSchema = EvaluateResultSchema;
export const auditEntrySchema = AuditEntrySchema;
export const auditQuerySchema = AuditQuerySchema;
export const auditPageSchema = AuditPageSchema;
export const auditIdParamsSchema = AuditIdParamsSchema;
export const accessLogQuerySchema = AccessLogQuerySchema;
export const accessLogPageSchema = AccessLogPageSchema;
export const healthResponseSchema = HealthStatusSchema;
export const readyResponseSchema = ReadyStatusSchema;

/** The response map entry of a problem status, keyed by its media type. */
export function problemResponse(description: string) {
  return { description, content: { [PROBLEM_CONTENT_TYPE]: { schema: problemSchema } } };
}
