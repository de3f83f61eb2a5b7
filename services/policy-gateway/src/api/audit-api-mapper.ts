/**
 * The mapping between HTTP and the audit repository (not a storage adapter): validated query
 * parameters become an `AuditLogQuery`, entries become the flat snake_case JSON of the API,
 * and repository failures become problems (400 for a query it refuses, 503 when unreachable or
 * when the write queue is full).
 */
import type { AuditEntry, AuditPage, AuditQuery } from '@policy-gateway/gateway-contract';
import {
  type AuditLogCursorSigner,
  type AuditLogEntry,
  type AuditLogEntryRepository,
  type AuditLogQuery,
  AuditWriteQueueFullError,
  CommitOutcomeUnknownError,
  DuplicateIdempotencyKeyError,
  InvalidAuditLogEntryError,
  InvalidAuditQueryError,
  InvalidCursorError,
} from '@policy-gateway/governance-runtime';
import type { SealedOriginalStates } from '../privacy/sealed-original-states.js';
import { IDEMPOTENCY_KEY_HEADER } from './idempotency-key.js';
import { ApiProblem } from './problem.js';

/**
 * When a caller refused for a full audit queue may try again: a batch commits in milliseconds,
 * so a second is long enough for the queue to drain and short for a caller.
 */
export const AUDIT_QUEUE_RETRY_AFTER_SECONDS = 1;

/** The query string of `GET /governance/audit` after schema validation, which defaults `limit`. */
export type AuditQueryParams = AuditQuery & { readonly limit: number };

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
    ...(params.action !== undefined && { action: params.action }),
    ...(params.gateway_instance !== undefined && { gatewayInstance: params.gateway_instance }),
    ...(params.shadow !== undefined && { shadow: params.shadow }),
  };
}

/**
 * The one mapping from the domain's entry to the API's. Both sides are checked by the compiler:
 * the result is the contract's type, so a contract field left out here is an error, and every
 * domain field is taken apart by name, so a domain field this function does not map is left in
 * `unmapped` and fails its type. `sealedOriginalState` is what the key store says of the sealed
 * original when the entry is served (`SealedOriginalStates`); `unknown` when not asked.
 */
export function toAuditEntryJson(
  entry: AuditLogEntry,
  sealedOriginalState: AuditEntry['sealed_original_state'] = entry.sealedOriginal === undefined
    ? null
    : 'unknown',
): AuditEntry {
  const {
    id,
    decisionId,
    occurredAt,
    userId,
    principalId,
    action,
    decision,
    reasons,
    policyPath,
    policyVersion,
    policyEngine,
    input,
    result,
    error,
    latencyMs,
    requestId,
    clientRequestId,
    clientAddress,
    userAgent,
    gatewayInstance,
    idempotencyKey,
    requestDigest,
    masking,
    sealedOriginal,
    shadow,
    enforced,
    chain,
    ...unmapped
  } = entry;
  unmapped satisfies Record<string, never>;
  return {
    id,
    decision_id: decisionId,
    occurred_at: occurredAt,
    user_id: userId,
    principal_id: principalId,
    action,
    decision,
    reasons: [...reasons],
    policy_path: policyPath,
    policy_version: policyVersion,
    policy_engine: policyEngine,
    input,
    result,
    error,
    latency_ms: latencyMs,
    request_id: requestId,
    client_request_id: clientRequestId,
    client_address: clientAddress,
    user_agent: userAgent,
    gateway_instance: gatewayInstance,
    idempotency_key: idempotencyKey,
    request_digest: requestDigest,
    masking:
      masking === undefined
        ? null
        : {
            erased: [...masking.erased],
            masked: [...masking.masked],
            redacted: masking.redacted.map(({ code, count }) => ({ code, count })),
          },
    sealed_original: sealedOriginal === undefined ? null : { ...sealedOriginal },
    sealed_original_state: sealedOriginal === undefined ? null : sealedOriginalState,
    shadow: shadow === undefined ? null : { ...shadow, reasons: [...shadow.reasons] },
    enforced: enforced !== false,
    chain:
      chain === undefined
        ? null
        : {
            chain_id: chain.chainId,
            seq: chain.seq,
            prev_hash: chain.prevHash,
            entry_hash: chain.entryHash,
          },
  };
}

/** Maps an entry field path (`input.prompt`, `userId`) to the request field it came from. */
function requestFieldOf(entryField: string): string {
  if (entryField.startsWith('input.')) return entryField.slice('input.'.length);
  if (entryField === 'userId') return 'user_id';
  if (entryField === 'userAgent') return 'User-Agent';
  if (entryField === 'clientRequestId') return 'X-Request-Id';
  return entryField;
}

/** The query parameter behind a field of `AuditLogQuery`, for errors the library raises. */
const QUERY_PARAMETER_OF: Readonly<Record<string, string>> = {
  userId: 'user_id',
  policyPath: 'policy',
  decisionId: 'decision_id',
  gatewayInstance: 'gateway_instance',
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

/** How pages of the trail are read over HTTP. */
export interface AuditReadOptions {
  /** A page's budget in bytes (POLICY_GATEWAY_AUDIT_PAGE_MAX_BYTES); unbounded when omitted. */
  readonly pageMaxBytes?: number;
  /** Signs each `next_cursor` and refuses a `cursor` it did not sign; cursors as stored when omitted. */
  readonly cursorSigner?: AuditLogCursorSigner;
  /** Tells whether sealed originals were erased, one key-store look-up per page or entry. */
  readonly originals?: SealedOriginalStates;
}

export class AuditApiMapper {
  constructor(
    private readonly repository: AuditLogEntryRepository,
    private readonly reads: AuditReadOptions = {},
  ) {}

  /**
   * Commits the entry; rejects with a problem when it could not be committed, or when whether
   * it was is unknown, so that the caller withholds the decision (fail-closed). Resolves
   * `key-taken` when the entry was not stored because its user already has a decision under
   * its idempotency key (a concurrent request with the same key committed first).
   */
  async append(entry: AuditLogEntry): Promise<'committed' | 'key-taken'> {
    try {
      await this.repository.append(entry);
      return 'committed';
    } catch (error) {
      if (error instanceof DuplicateIdempotencyKeyError) return 'key-taken';
      if (error instanceof AuditWriteQueueFullError) {
        throw Object.assign(
          new ApiProblem(
            'AUDIT_QUEUE_FULL',
            `${error.queuedEntries} decisions are already waiting for the audit store to commit them, the limit (POLICY_GATEWAY_AUDIT_QUEUE_MAX_ENTRIES); nothing was recorded and no decision is returned, retry after the Retry-After delay or against another replica`,
            undefined,
            {},
            { retryAfterSeconds: AUDIT_QUEUE_RETRY_AFTER_SECONDS },
          ),
          { cause: error },
        );
      }
      if (error instanceof CommitOutcomeUnknownError) {
        throw Object.assign(
          new ApiProblem(
            'AUDIT_COMMIT_UNKNOWN',
            `whether the decision was committed to the audit trail is unknown, so no decision is returned; retry with the same ${IDEMPOTENCY_KEY_HEADER} (a retry answers the recorded decision if there is one), or see GET /governance/audit/{audit_id}`,
            undefined,
            { audit_id: entry.id },
          ),
          { cause: error },
        );
      }
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

  /** The decision the user recorded under this idempotency key, if any. */
  async findByIdempotencyKey(
    userId: string,
    idempotencyKey: string,
  ): Promise<AuditLogEntry | undefined> {
    try {
      return await this.repository.findByIdempotencyKey(userId, idempotencyKey);
    } catch (error) {
      throw Object.assign(unavailable('be read'), { cause: error });
    }
  }

  async query(params: AuditQueryParams): Promise<AuditPage> {
    try {
      const { pageMaxBytes, cursorSigner } = this.reads;
      const query = toAuditLogQuery(params);
      const page = await this.repository.query({
        ...query,
        ...(pageMaxBytes !== undefined && { maxBytes: pageMaxBytes }),
        // Verified inside the try: a cursor it did not sign is an InvalidCursorError like any.
        ...(query.cursor !== undefined &&
          cursorSigner !== undefined && { cursor: cursorSigner.verify(query.cursor) }),
      });
      const next = page.nextCursor;
      const states = await this.reads.originals?.of(page.entries);
      return {
        entries: page.entries.map((entry) => toAuditEntryJson(entry, states?.get(entry.id))),
        next_cursor: next === null || cursorSigner === undefined ? next : cursorSigner.sign(next),
      };
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

  async findById(id: string): Promise<AuditEntry | undefined> {
    try {
      const entry = await this.repository.findById(id.toLowerCase());
      if (entry === undefined) return undefined;
      const states = await this.reads.originals?.of([entry]);
      return toAuditEntryJson(entry, states?.get(entry.id));
    } catch (error) {
      throw Object.assign(unavailable('be read'), { cause: error });
    }
  }
}
