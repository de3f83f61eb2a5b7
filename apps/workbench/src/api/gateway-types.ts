/**
 * The gateway's HTTP payloads as the Workbench reads them. Field names mirror the wire format
 * (snake_case) so that there is one representation of an entry, not a wire and a UI copy.
 */

export type AuditDecision = 'allow' | 'deny' | 'error';

export const AUDIT_DECISIONS: readonly AuditDecision[] = ['allow', 'deny', 'error'];

export type ReasonSeverity = 'low' | 'medium' | 'high' | 'critical';

export interface AuditReason {
  readonly code: string;
  readonly message: string;
  readonly severity: ReasonSeverity;
}

/** One recorded policy decision (`GET /governance/audit/{id}`). */
export interface AuditEntry {
  readonly id: string;
  readonly decision_id: string;
  /** RFC 3339 UTC with microseconds; kept as text because `Date` would drop the microseconds. */
  readonly occurred_at: string;
  readonly user_id: string;
  readonly action: string;
  readonly decision: AuditDecision;
  readonly reasons: readonly AuditReason[];
  readonly policy_path: string;
  readonly policy_version: string;
  readonly policy_engine: string;
  readonly input: unknown;
  readonly result: unknown;
  readonly error: string | null;
  readonly latency_ms: number;
  readonly request_id: string | null;
  readonly client_address: string | null;
  readonly user_agent: string | null;
  readonly gateway_instance: string | null;
}

export interface AuditPage {
  readonly entries: readonly AuditEntry[];
  readonly next_cursor: string | null;
}

/** Query parameters of `GET /governance/audit`, already resolved to absolute instants. */
export interface AuditQueryParams {
  readonly limit: number;
  readonly cursor?: string | undefined;
  readonly user_id?: string | undefined;
  readonly decision?: AuditDecision | undefined;
  readonly policy?: string | undefined;
  readonly decision_id?: string | undefined;
  readonly since?: string | undefined;
  readonly until?: string | undefined;
}

export interface EvaluateRequest {
  readonly prompt: string;
  readonly user_id: string;
  readonly context?: Readonly<Record<string, unknown>>;
}

export interface EvaluateResult {
  readonly decision_id: string;
  readonly audit_id: string | null;
  readonly allow: boolean;
  readonly decision: 'allow' | 'deny';
  readonly reasons: readonly AuditReason[];
  readonly policy: { readonly path: string; readonly version: string; readonly engine: string };
  readonly latency_ms: number | null;
}

export type StoreBackend = 'memory' | 'postgres' | 'embedded';

/** `GET /ready`: answered with 200 when ready and 503 when not, with the same body. */
export interface ReadyStatus {
  readonly status: 'ready' | 'not_ready';
  readonly store: {
    readonly backend: StoreBackend | string;
    readonly durable: boolean;
    readonly reachable: boolean;
    readonly schema: unknown;
  };
  readonly policy: unknown;
  readonly warnings: readonly string[];
}
