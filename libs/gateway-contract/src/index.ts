// The policy gateway's HTTP contract: a TypeBox (JSON Schema) schema for every body the service
// sends and accepts, and the types derived from them. The service validates and serialises with
// these schemas; the Workbench checks what it receives against them. Importing this package
// registers the schema kinds and string formats it uses with TypeBox, so `Value.Check` works on
// every schema here.

export {
  AUDIT_DECISIONS,
  AUDIT_SHADOW_FILTERS,
  type AuditDecision,
  type AuditShadowFilter,
} from '@policy-gateway/governance-runtime';
export {
  type AccessLogPage,
  AccessLogPageSchema,
} from './access-log-page.js';
export {
  ACCESS_LOG_PAGE_DEFAULT_LIMIT,
  type AccessLogQuery,
  AccessLogQuerySchema,
} from './access-log-query.js';
export { type AccessLogRecordJson, AccessLogRecordSchema } from './access-log-record.js';
export {
  ApiKeyIdParamsSchema,
  type ApiKeyJson,
  type ApiKeyList,
  ApiKeyListSchema,
  ApiKeySchema,
  type CreateApiKeyRequest,
  CreateApiKeyRequestSchema,
  type CreatedApiKey,
  CreatedApiKeySchema,
} from './api-key.js';
export { type AuditChainLink, AuditChainLinkSchema } from './audit-chain-link.js';
export { AuditDecisionSchema, type AuditEntry, AuditEntrySchema } from './audit-entry.js';
export {
  AuditEntryMaskingSchema,
  RedactedSpansSchema,
  SEALED_ORIGINAL_STATES,
  SealedOriginalSchema,
  SealedOriginalStateSchema,
} from './audit-entry-privacy.js';
export {
  type AuditEntryProofJson,
  AuditEntryProofSchema,
  AuditProofLinkSchema,
} from './audit-entry-proof.js';
export {
  AuditShadowDecisionSchema,
  AuditShadowFilterSchema,
  ENFORCEMENT_MODES,
  ReadyRolloutSchema,
} from './audit-entry-rollout.js';
export {
  AUDIT_EXPORT_FORMATS,
  AUDIT_STREAM_ENTRY_EVENT,
  type AuditExportCheckpoint,
  AuditExportCheckpointSchema,
  type AuditExportFormat,
  type AuditExportLine,
  AuditExportLineSchema,
  type AuditExportQuery,
  AuditExportQuerySchema,
  type AuditStreamQuery,
  AuditStreamQuerySchema,
} from './audit-export.js';
export {
  type AuditChainHeadJson,
  AuditChainHeadSchema,
  type AuditIntegrity,
  AuditIntegritySchema,
  type AuditTrailProblemJson,
  AuditTrailProblemKindSchema,
  AuditTrailProblemSchema,
  type AuditVerificationJson,
  AuditVerificationSchema,
} from './audit-integrity.js';
export { type AuditPage, AuditPageSchema } from './audit-page.js';
export {
  AUDIT_PAGE_DEFAULT_LIMIT,
  type AuditIdParams,
  AuditIdParamsSchema,
  type AuditQuery,
  AuditQuerySchema,
  RFC3339_EXAMPLE,
} from './audit-query.js';
export {
  type AuditReason,
  AuditReasonSchema,
  REASON_SEVERITIES,
  type ReasonSeverity,
  ReasonSeveritySchema,
} from './audit-reason.js';
export {
  AuditStatsBucketSchema,
  type AuditStatsJson,
  type AuditStatsQueryParams,
  AuditStatsQuerySchema,
  AuditStatsSchema,
  LatencyPercentilesSchema,
} from './audit-stats.js';
export {
  AUTH_STATES,
  type AuthConfig,
  AuthConfigSchema,
  type OidcSignIn,
  OidcSignInSchema,
} from './auth-config.js';
export {
  type AuthPrincipal,
  AuthPrincipalSchema,
  PRINCIPAL_KINDS,
  PRINCIPAL_ROLES,
  type PrincipalRole,
} from './auth-principal.js';
export { type EvaluateHeaders, EvaluateHeadersSchema } from './evaluate-headers.js';
export { type EvaluateRequest, EvaluateRequestSchema } from './evaluate-request.js';
export {
  EVALUATE_DECISIONS,
  type EvaluateResult,
  EvaluateResultSchema,
  POLICY_ENGINES,
} from './evaluate-result.js';
export { type HealthStatus, HealthStatusSchema } from './health-status.js';
export { JsonObject, type TJsonObject } from './json-object.js';
export { NullableString, type TNullableString } from './nullable-string.js';
export {
  PROBLEM_CONTENT_TYPE,
  type ProblemDetails,
  ProblemDetailsSchema,
} from './problem-details.js';
export {
  AUTH_MODES,
  READY_STATES,
  ReadyAuditChainSchema,
  type ReadyAuth,
  ReadyAuthSchema,
  ReadyReadReplicaSchema,
  type ReadyStatus,
  ReadyStatusSchema,
  SCHEMA_STATES,
  SIGNING_KEY_SOURCES,
  STORE_BACKENDS,
  type StoreBackend,
} from './ready-status.js';
export {
  REPLAY_KNOWN_BUNDLES,
  REPLAY_MAX_ENTRIES,
  REPLAY_STATUSES,
  REPLAY_TRANSITIONS,
  type Replay,
  type ReplayChange,
  ReplayChangeSchema,
  type ReplayChangesPage,
  ReplayChangesPageSchema,
  type ReplayChangesQuery,
  ReplayChangesQuerySchema,
  type ReplayFilters,
  ReplayFiltersSchema,
  ReplayIdParamsSchema,
  type ReplayKnownBundle,
  type ReplayRequest,
  ReplayRequestSchema,
  type ReplayResult,
  ReplaySchema,
  type ReplayStatus,
  type ReplaySummary,
  ReplaySummarySchema,
  type ReplayTransition,
} from './replay.js';
export {
  type OpenedOriginal,
  OpenedOriginalSchema,
  PRIVACY_REASON_MAX_LENGTH,
  PrivacyReasonSchema,
  type ReadOriginalRequest,
  ReadOriginalRequestSchema,
} from './sealed-original-read.js';
export { StringEnum, type TStringEnum } from './string-enum.js';
export { DateTime, Uuid } from './string-formats.js';
export {
  type SubjectErasure,
  type SubjectErasureRequest,
  SubjectErasureRequestSchema,
  SubjectErasureSchema,
  SubjectParamsSchema,
} from './subject-erasure.js';
