/**
 * Audited reads: every answer of a route that declares `config.accessLog` (a `RecordedRead`) is
 * recorded in the access log, and committed, before it is sent. The record is made in the
 * route's last `onSend` hook, once the status and the items answered are known (a
 * `preSerialization` hook notes the items' ids); if it cannot be committed, the answer is
 * replaced by `503 ACCESS_LOG_UNAVAILABLE` and nothing of the trail leaves the gateway
 * (fail-closed, as decisions are with the audit trail).
 *
 * What is recorded, and what is not:
 * - every status, refusals included (403 without the role, 400, 404): an attempt to read the
 *   trail is what an auditor looks for;
 * - not an answer given before anyone was identified (401, a refused Host, shutting down): no
 *   principal to name, no audit data sent, and recording them would let anyone without
 *   credentials fill the access log; the server log has them;
 * - the query and path parameters as sent, except `cursor`, recorded as `true`: a cursor is a
 *   signed position, which the entry ids of the answer already give;
 * - of a body, only the members the route names (`bodyParameters`: a reason the reader gives);
 *   never a credential.
 */
import { PROBLEM_CONTENT_TYPE } from '@policy-gateway/gateway-contract';
import {
  ACCESS_LOG_MAX_ENTRY_IDS,
  type AccessLogRecord,
  type AccessLogRepository,
  auditTimestampNow,
  newAuditLogEntryId,
} from '@policy-gateway/governance-runtime';
import type {
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  onSendHookHandler,
  preSerializationHookHandler,
} from 'fastify';
import { ANONYMOUS_PRINCIPAL, type Principal } from '../auth/principal.js';
import { clientAddressOf } from './client-address.js';
import { clientRequestIdOf } from './client-request-id.js';
import { ApiProblem, problemBody } from './problem.js';
import type { RecordedRead } from './recorded-read.js';

export interface AccessLogRecordingOptions {
  readonly accessLog: AccessLogRepository;
  /** Recorded in every record (POLICY_GATEWAY_INSTANCE). */
  readonly instanceName: string;
}

/**
 * Adds the recording hooks to every route registered after it that declares
 * `config.accessLog`. Call on the root, before the areas.
 *
 * @example
 * installAccessLogRecording(app, { accessLog: store.accessLog, instanceName });
 * app.get('/governance/audit', { config: { accessLog: AUDIT_PAGE_READ } }, handler);
 */
export function installAccessLogRecording(
  app: FastifyInstance,
  options: AccessLogRecordingOptions,
): void {
  app.addHook('onRoute', (route) => {
    const read = route.config?.accessLog;
    if (read === undefined) return;
    const answered = new WeakMap<FastifyRequest, readonly string[]>();
    const noteItems: preSerializationHookHandler<unknown> = async (request, reply, payload) => {
      if (reply.statusCode >= 200 && reply.statusCode < 300) {
        answered.set(request, read.idsOf(payload));
      }
      return payload;
    };
    const record: onSendHookHandler<unknown> = async (request, reply, payload) =>
      recordThenSend(
        options,
        read,
        request,
        reply,
        payload,
        answered.get(request) ?? itemsOf(read, reply, payload),
      );
    // Last: the record must see the answer as every other hook left it.
    route.preSerialization = [...hooks(route.preSerialization), noteItems];
    route.onSend = [...hooks(route.onSend), record];
  });
}

/**
 * The items of an answer the serialiser did not see: one the handler sent as JSON text. A
 * stream (or any other body) is recorded with no items; a route that streams the trail must
 * count what it sent itself.
 */
function itemsOf(read: RecordedRead, reply: FastifyReply, payload: unknown): readonly string[] {
  if (reply.statusCode < 200 || reply.statusCode >= 300 || typeof payload !== 'string') return [];
  try {
    return read.idsOf(JSON.parse(payload));
  } catch {
    return [];
  }
}

function hooks<T>(existing: T | T[] | undefined): T[] {
  if (existing === undefined) return [];
  return Array.isArray(existing) ? existing : [existing];
}

async function recordThenSend(
  options: AccessLogRecordingOptions,
  read: RecordedRead,
  request: FastifyRequest,
  reply: FastifyReply,
  payload: unknown,
  ids: readonly string[],
): Promise<unknown> {
  const principal = principalOf(request);
  if (reply.statusCode === 401 || (principal === undefined && reply.statusCode >= 400)) {
    return payload;
  }
  const userAgent = request.headers['user-agent'];
  const record: AccessLogRecord = {
    id: newAuditLogEntryId(),
    occurredAt: auditTimestampNow(),
    // No principal on a served read means no guard in front (authentication off).
    principalId: (principal ?? ANONYMOUS_PRINCIPAL).id,
    method: request.method,
    route: request.routeOptions.url ?? request.url.split('?')[0] ?? '',
    parameters: parametersOf(request, read),
    status: reply.statusCode,
    entryCount: ids.length,
    entryIds: ids.slice(0, ACCESS_LOG_MAX_ENTRY_IDS),
    requestId: request.id,
    clientRequestId: clientRequestIdOf(request.headers),
    clientAddress: clientAddressOf(request),
    userAgent: userAgent === undefined ? null : (storable(userAgent) as string),
    gatewayInstance: options.instanceName,
  };
  try {
    await options.accessLog.append(record);
    return payload;
  } catch (error) {
    const problem = new ApiProblem(
      'ACCESS_LOG_UNAVAILABLE',
      'this read of the audit trail could not be recorded in the access log, so nothing is returned; check /ready and retry',
    );
    request.log.error(
      { err: error, accessLogRecord: { ...record, status: reply.statusCode } },
      problem.detail,
    );
    reply.code(problem.status).type(PROBLEM_CONTENT_TYPE);
    return JSON.stringify(problemBody(problem, request.id));
  }
}

/**
 * The principal the authentication guard set, if any. Read defensively: without a guard in
 * front (authentication off, or a test app) the request carries none.
 */
function principalOf(request: FastifyRequest): Principal | undefined {
  const { principal } = request as { principal?: Principal };
  return typeof principal?.id === 'string' ? principal : undefined;
}

/**
 * Path parameters, then the query string, as sent, then the body members the route names; a
 * cursor only as present.
 */
function parametersOf(request: FastifyRequest, read: RecordedRead): Record<string, unknown> {
  const body = objectOrEmpty(request.body);
  const parameters: Record<string, unknown> = {
    ...objectOrEmpty(request.params),
    ...objectOrEmpty(request.query),
    ...Object.fromEntries(
      (read.bodyParameters ?? []).filter((name) => name in body).map((name) => [name, body[name]]),
    ),
  };
  if ('cursor' in parameters) parameters.cursor = true;
  return storable(typedAsDeclared(parameters, request.routeOptions.schema)) as Record<
    string,
    unknown
  >;
}

/**
 * Path and query values typed as the route's schema declares them (`limit` a number), as
 * validation leaves them on a served read: a read refused before validation (403) is then
 * recorded alike, and the log can be filtered and compared by value. A value the schema would
 * refuse (`limit=ten`) stays as sent.
 */
function typedAsDeclared(
  parameters: Record<string, unknown>,
  schema: { readonly params?: unknown; readonly querystring?: unknown } | undefined,
): Record<string, unknown> {
  const declared = { ...propertiesOf(schema?.params), ...propertiesOf(schema?.querystring) };
  return Object.fromEntries(
    Object.entries(parameters).map(([name, value]) => [name, typed(value, declared[name]?.type)]),
  );
}

function propertiesOf(schema: unknown): Record<string, { readonly type?: unknown }> {
  const properties = (schema as { properties?: unknown } | undefined)?.properties;
  return typeof properties === 'object' && properties !== null
    ? (properties as Record<string, { readonly type?: unknown }>)
    : {};
}

function typed(value: unknown, type: unknown): unknown {
  if (typeof value !== 'string') return value;
  if ((type === 'integer' || type === 'number') && value.trim() !== '') {
    const number = Number(value);
    if (Number.isFinite(number) && (type === 'number' || Number.isInteger(number))) return number;
  }
  if (type === 'boolean' && (value === 'true' || value === 'false')) return value === 'true';
  return value;
}

function objectOrEmpty(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

/**
 * What a client sent, with the characters PostgreSQL cannot keep (U+0000, unpaired surrogates)
 * replaced by U+FFFD, so that a read with such a parameter is recorded (and refused with 400),
 * not turned into a 503.
 */
const UNPAIRED_SURROGATE = /\p{Cs}/gu;

function storable(value: unknown): unknown {
  if (typeof value === 'string') {
    return value.replace(UNPAIRED_SURROGATE, '\ufffd').replaceAll('\u0000', '\ufffd');
  }
  if (Array.isArray(value)) return value.map(storable);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [storable(key), storable(item)]),
    );
  }
  return value;
}
