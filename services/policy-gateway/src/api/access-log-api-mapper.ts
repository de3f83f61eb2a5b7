/**
 * The mapping between HTTP and the access-log repository: validated query parameters become an
 * `AccessLogQuery`, records become the snake_case JSON of the API, cursors are signed as the
 * audit list's are, and repository failures become problems (400 for a query it refuses, 503
 * when unreachable).
 */
import type {
  AccessLogPage,
  AccessLogQuery,
  AccessLogRecordJson,
} from '@policy-gateway/gateway-contract';
import {
  type AccessLogRecord,
  type AccessLogRepository,
  type AuditLogCursorSigner,
  InvalidAccessLogQueryError,
  InvalidCursorError,
} from '@policy-gateway/governance-runtime';
import { ApiProblem } from './problem.js';

/** The query string of `GET /governance/access-log` after validation, which defaults `limit`. */
export type AccessLogQueryParams = AccessLogQuery & { readonly limit: number };

/** The query parameter behind each field of `AccessLogQuery`, for errors the library raises. */
const QUERY_PARAMETER_OF: Readonly<Record<string, string>> = {
  principalId: 'principal_id',
  entryId: 'entry_id',
};

/**
 * The one mapping from the domain's record to the API's; a domain field left unmapped fails
 * the `unmapped` check, a contract field left out fails the return type.
 */
export function toAccessLogRecordJson(record: AccessLogRecord): AccessLogRecordJson {
  const {
    id,
    occurredAt,
    principalId,
    method,
    route,
    parameters,
    status,
    entryCount,
    entryIds,
    requestId,
    clientRequestId,
    clientAddress,
    userAgent,
    gatewayInstance,
    ...unmapped
  } = record;
  unmapped satisfies Record<string, never>;
  return {
    id,
    occurred_at: occurredAt,
    principal_id: principalId,
    method,
    route,
    parameters: { ...parameters },
    status,
    entry_count: entryCount,
    entry_ids: [...entryIds],
    request_id: requestId,
    client_request_id: clientRequestId,
    client_address: clientAddress,
    user_agent: userAgent,
    gateway_instance: gatewayInstance,
  };
}

export class AccessLogApiMapper {
  constructor(
    private readonly repository: AccessLogRepository,
    private readonly cursorSigner: AuditLogCursorSigner,
  ) {}

  async query(params: AccessLogQueryParams): Promise<AccessLogPage> {
    try {
      const page = await this.repository.query({
        limit: params.limit,
        // Verified inside the try: a cursor it did not sign is an InvalidCursorError like any.
        ...(params.cursor !== undefined && { cursor: this.cursorSigner.verify(params.cursor) }),
        ...(params.principal_id !== undefined && { principalId: params.principal_id }),
        ...(params.route !== undefined && { route: params.route }),
        ...(params.entry_id !== undefined && { entryId: params.entry_id }),
        ...(params.since !== undefined && { since: params.since }),
        ...(params.until !== undefined && { until: params.until }),
      });
      const next = page.nextCursor;
      return {
        records: page.records.map(toAccessLogRecordJson),
        next_cursor: next === null ? null : this.cursorSigner.sign(next),
      };
    } catch (error) {
      if (error instanceof InvalidCursorError) {
        throw new ApiProblem('INVALID_CURSOR', error.message, 'cursor');
      }
      if (error instanceof InvalidAccessLogQueryError) {
        const parameter = QUERY_PARAMETER_OF[error.field] ?? error.field;
        throw new ApiProblem(
          'INVALID_QUERY_PARAMETER',
          error.message.replace(error.field, parameter),
          parameter,
        );
      }
      throw Object.assign(
        new ApiProblem(
          'ACCESS_LOG_UNAVAILABLE',
          'the access log could not be read; check /ready and retry',
        ),
        { cause: error },
      );
    }
  }
}
