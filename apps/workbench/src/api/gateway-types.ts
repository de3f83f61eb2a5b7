/**
 * The gateway's HTTP payloads as the Workbench reads them: the types derived from the gateway's
 * contract (`@policy-gateway/gateway-contract`), so that an entry has one representation shared
 * with the gateway, not a wire copy and a UI copy. Field names are the wire's (snake_case).
 */
import type { AuditQuery } from '@policy-gateway/gateway-contract';

export {
  AUDIT_DECISIONS,
  AUDIT_SHADOW_FILTERS,
  type AuditDecision,
  type AuditEntry,
  type AuditIntegrity,
  type AuditPage,
  type AuditReason,
  type AuditShadowFilter,
  type AuditStatsJson as AuditStats,
  type AuditStatsQueryParams,
  type EvaluateRequest,
  type EvaluateResult,
  type OpenedOriginal,
  type ReadyStatus,
  type ReasonSeverity,
  type Replay,
  type ReplayChange,
  type ReplayChangesPage,
  type ReplayKnownBundle,
  type ReplayRequest,
  type ReplayResult,
  type ReplayTransition,
  type StoreBackend,
} from '@policy-gateway/gateway-contract';

/** Query parameters of `GET /governance/audit`, already resolved to absolute instants. */
export type AuditQueryParams = AuditQuery & { readonly limit: number };
