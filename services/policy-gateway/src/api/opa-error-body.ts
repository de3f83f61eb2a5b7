/**
 * OPA's error body on the routes that speak OPA's Data API, in place of the gateway's
 * `application/problem+json`: `{"code", "message", "errors"}` with OPA's codes
 * (`invalid_parameter`, `unauthorized`, `undefined_document`, `internal_error`, …), which
 * OPA's SDKs and clients read. The gateway's own catalogue code is kept as the first of
 * `errors`, so that an answer such as `AUDIT_STORE_UNAVAILABLE` stays as actionable here as
 * on the gateway's own routes. Installed as the error handler of the Data API's scope only.
 */
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { ERROR_CATALOGUE } from './error-catalogue.js';
import { ApiProblem } from './problem.js';

export interface OpaErrorDetail {
  readonly code: string;
  readonly message: string;
  readonly location?: { readonly file: string; readonly row: number; readonly col: number };
}

export interface OpaErrorBody {
  readonly code: string;
  readonly message: string;
  readonly errors?: readonly OpaErrorDetail[];
  /** Set when the failed query was recorded, so that the caller can find its entry. */
  readonly decision_id?: string;
}

/** OPA's error body as JSON Schema, for `/openapi.json`. */
const OPA_ERROR_SCHEMA = Object.freeze({
  type: 'object',
  description:
    "OPA's error body; `errors[0].code` is the gateway's catalogue code when the gateway refused the request itself",
  required: ['code', 'message'],
  properties: {
    code: { type: 'string' },
    message: { type: 'string' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          code: { type: 'string' },
          message: { type: 'string' },
          location: { type: 'object' },
        },
      },
    },
    decision_id: { type: 'string' },
  },
});

/** The response map entry of an error status answered in OPA's shape. */
export function opaErrorResponse(description: string) {
  return { description, content: { 'application/json': { schema: OPA_ERROR_SCHEMA } } };
}

/**
 * The errors every Data API route may answer, in OPA's shape (declared before the guard's
 * `application/problem+json` defaults, which they replace).
 */
export const OPA_ERROR_RESPONSES = Object.freeze({
  400: opaErrorResponse(
    '`invalid_parameter`: malformed JSON or gzip, a body that is not an object, `explain`',
  ),
  401: opaErrorResponse('`unauthorized`: no valid credentials'),
  403: opaErrorResponse('`unauthorized`: the credentials lack the evaluator role'),
  413: opaErrorResponse('`invalid_parameter`: the body, once decompressed, is too large'),
  500: opaErrorResponse(
    '`internal_error`: the document could not be evaluated (recorded as decision `error`; `errors` names the engine error and its place)',
  ),
  503: opaErrorResponse(
    '`internal_error`: the query could not be recorded (`AUDIT_STORE_UNAVAILABLE`, `AUDIT_COMMIT_UNKNOWN`: nothing is answered) or too many evaluations are running (`TOO_MANY_EVALUATIONS`, with Retry-After)',
  ),
});

/** An error answered in OPA's shape, with the status OPA gives it. */
export class OpaApiError extends Error {
  override readonly name = 'OpaApiError';
  constructor(
    readonly status: number,
    readonly body: OpaErrorBody,
  ) {
    super(body.message);
  }
}

/** OPA's code for a status the gateway answers on its own (authentication, limits, store). */
function opaCodeOf(status: number): string {
  if (status === 401 || status === 403) return 'unauthorized';
  if (status === 404) return 'resource_not_found';
  if (status >= 400 && status < 500) return 'invalid_parameter';
  return 'internal_error';
}

function fromApiProblem(problem: ApiProblem): OpaApiError {
  const { status, title } = ERROR_CATALOGUE[problem.code];
  const decisionId = problem.extensions.decision_id;
  return new OpaApiError(status, {
    code: opaCodeOf(status),
    message: problem.detail,
    errors: [{ code: problem.code, message: title }],
    ...(typeof decisionId === 'string' ? { decision_id: decisionId } : {}),
  });
}

function fromFastifyError(error: FastifyError): OpaApiError | undefined {
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return fromApiProblem(
      new ApiProblem(
        'BODY_TOO_LARGE',
        'the body, once decompressed, exceeds the limit (POLICY_GATEWAY_BODY_LIMIT_BYTES)',
      ),
    );
  }
  const status = error.statusCode;
  if (status !== undefined && status >= 400 && status < 500) {
    return new OpaApiError(status, { code: opaCodeOf(status), message: error.message });
  }
  return undefined;
}

/** Sends `error` in OPA's shape. */
export function sendOpaError(reply: FastifyReply, error: OpaApiError): FastifyReply {
  return reply.code(error.status).type('application/json').send(JSON.stringify(error.body));
}

/** Answers every failure in `scope` (its guard's and parser's too) in OPA's shape. */
export function installOpaErrorHandling(scope: FastifyInstance): void {
  scope.setErrorHandler<FastifyError | ApiProblem | OpaApiError>((error, request, reply) => {
    const answer =
      error instanceof OpaApiError
        ? error
        : error instanceof ApiProblem
          ? fromApiProblem(error)
          : fromFastifyError(error);
    if (answer !== undefined) {
      if (answer.status >= 500) request.log.error({ err: error.cause ?? error }, answer.message);
      return sendOpaError(reply, answer);
    }
    request.log.error({ err: error }, 'unexpected error');
    return sendOpaError(
      reply,
      new OpaApiError(500, {
        code: 'internal_error',
        message: `unexpected error; see the log for request ${request.id}`,
      }),
    );
  });
}
