/**
 * The mapping between HTTP and the audit repository (not a storage adapter): validated query
 * parameters become an `AuditLogQuery`, entries become the flat snake_case JSON of the API,
 * and repository failures become problems (400 for a query it refuses, 503 when unreachable).
 */
import {
  type AuditDecision,
  type AuditLogEntry,
  type AuditLogEntryRepository,
  type AuditLogQuery,
  type AuditReason,
  InvalidAuditLogEntryError,
  InvalidAuditQueryError,
  InvalidCursorError,
} from '@policy-gateway/governance-runtime';
import { ApiProblem } from './problem.js';

/** The query string of `GET /governance/audit` after schema validation. */
export interface AuditQueryParams {
  readonly limit: number;
  readonly cursor?: string;
  readonly user_id?: string;
  readonly decision?: AuditDecision;
  readonly policy?: string;
  readonly since?: string;
  readonly until?: string;
  readonly decision_id?: string;
}

/** An audit entry as the API shows it. */
export interface AuditEntryJson {
  readonly id: string;
  readonly decision_id: string;
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
  readonly gateway_instance: string;
}

export interface AuditPageJson {
  readonly entries: readonly AuditEntryJson[];
  readonly next_cursor: string | null;
}

export function toAuditLogQuery(params: AuditQueryParams): AuditLogQuery {
  return {
    limit: params.limit,
    ...(params.cursor !== undefined && { cursor: params.cursor }),
    ...(params.user_id !== undefined && { userId: params.user_id }),
    ...(params.decision !== undefined && { decision: params.decision }),
    ...(params.policy !== undefined && { policyPath: params.policy }),
    ...(params.since !== undefined && { since: params.since }),
    ...(params.until !== undefined && { until: params.until }),
    ...(params.decision_id !== undefined && { decisionId: params.decision_id }),
  };
}

export function toAuditEntryJson(entry: AuditLogEntry): AuditEntryJson {
  return {
    id: entry.id,
    decision_id: entry.decisionId,
    occurred_at: entry.occurredAt,
    user_id: entry.userId,
    action: entry.action,
    decision: entry.decision,
    reasons: entry.reasons,
    policy_path: entry.policyPath,
    policy_version: entry.policyVersion,
    policy_engine: entry.policyEngine,
    input: entry.input,
    result: entry.result,
    error: entry.error,
    latency_ms: entry.latencyMs,
    request_id: entry.requestId,
    client_address: entry.clientAddress,
    user_agent: entry.userAgent,
    gateway_instance: entry.gatewayInstance,
  };
}

/** Maps an entry field path (`input.prompt`, `userId`) to the request field it came from. */
function requestFieldOf(entryField: string): string {
  if (entryField.startsWith('input.')) return entryField.slice('input.'.length);
  if (entryField === 'userId') return 'user_id';
  if (entryField === 'userAgent') return 'User-Agent';
  if (entryField === 'requestId') return 'X-Request-Id';
  return entryField;
}

/** The query parameter behind a field of `AuditLogQuery`, for errors the library raises. */
const QUERY_PARAMETER_OF: Readonly<Record<string, string>> = {
  userId: 'user_id',
  policyPath: 'policy',
  decisionId: 'decision_id',
};

function queryParameterOf(queryField: string): string {
  return QUERY_PARAMETER_OF[queryField] ?? queryField;
}

function unavailable(action: string): ApiProblem {
  return new ApiProblem(
    'AUDIT_STORE_UNAVAILABLE',
    `the audit store could not ${action}; check /ready and retry`,
  );
}

export class AuditApiMapper {
  constructor(private readonly repository: AuditLogEntryRepository) {}

  /**
   * Commits the entry; rejects with a problem when it could not be committed, so that the
   * caller withholds the decision (fail-closed).
   */
  async append(entry: AuditLogEntry): Promise<void> {
    try {
      await this.repository.append(entry);
    } catch (error) {
      if (error instanceof InvalidAuditLogEntryError) {
        const field = requestFieldOf(error.field);
        throw new ApiProblem(
          'INVALID_FIELD',
          `${field} cannot be recorded in the audit trail: it contains U+0000 or an unpaired surrogate`,
          field,
        );
      }
      throw Object.assign(unavailable('commit the decision, so no decision is returned'), {
        cause: error,
      });
    }
  }

  async query(params: AuditQueryParams): Promise<AuditPageJson> {
    try {
      const page = await this.repository.query(toAuditLogQuery(params));
      return { entries: page.entries.map(toAuditEntryJson), next_cursor: page.nextCursor };
    } catch (error) {
      if (error instanceof InvalidCursorError) {
        throw new ApiProblem('INVALID_CURSOR', error.message, 'cursor');
      }
      if (error instanceof InvalidAuditQueryError) {
        const parameter = queryParameterOf(error.field);
        throw new ApiProblem(
          'INVALID_QUERY_PARAMETER',
          error.message.replace(error.field, parameter),
          parameter,
        );
      }
      throw Object.assign(unavailable('be read'), { cause: error });
    }
  }

  async findById(id: string): Promise<AuditEntryJson | undefined> {
    try {
      const entry = await this.repository.findById(id.toLowerCase());
      return entry === undefined ? undefined : toAuditEntryJson(entry);
    } catch (error) {
      throw Object.assign(unavailable('be read'), { cause: error });
    }
  }
}
