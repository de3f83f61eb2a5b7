/**
 * OPA's Data API, recorded: the area (a plugin registered at the root) that lets every OPA
 * client ask the gateway as it would ask OPA — `POST /v1/data/{path}` with `{"input": …}`,
 * `GET /v1/data/{path}` (input in `?input=`), and `POST /` (the default decision,
 * `data.system.main`, the input being the whole body). Each query is evaluated, committed to
 * the audit trail as an `opa.data` entry, and only then answered, with the same fail-closed
 * rules as `POST /policy/evaluate`: a query that could not be recorded is not answered (503),
 * and one that could not be evaluated is recorded as decision `error` and answered 500.
 * Answers and errors take OPA's shapes (`{"result", "decision_id"}`, `{}` plus the decision id
 * when the document is undefined; `{"code", "message", "errors"}`), bodies may be gzip in both
 * directions, and the query parameters OPA's clients send are honoured (`opa-query-options.ts`).
 */
import { randomUUID } from 'node:crypto';
import compress from '@fastify/compress';
import { auditTimestampNow, newAuditLogEntryId } from '@policy-gateway/governance-runtime';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { dataApiAuditEntry } from '../audit/data-api-audit-entry.js';
import type { Principal } from '../auth/principal.js';
import { type DocumentAnswer, type DocumentQuery, documentRef } from '../policy/data-document.js';
import type { PolicyEngine } from '../policy/policy-engine.js';
import type { PolicyRollout } from '../policy/policy-rollout.js';
import { normalizePolicyInput, recordedPolicyInput } from '../policy/prompt-normalization.js';
import type { AuditApiMapper } from './audit-api-mapper.js';
import { clientAddressOf } from './client-address.js';
import { clientRequestIdOf } from './client-request-id.js';
import { mayDecideAbout } from './decision-subject.js';
import type { EvaluationAdmission } from './evaluation-admission.js';
import { RETRY_AFTER_SECONDS } from './evaluation-refusal.js';
import {
  installOpaErrorHandling,
  OPA_ERROR_RESPONSES,
  OpaApiError,
  opaErrorResponse,
} from './opa-error-body.js';
import { type OpaQueryOptions, opaQueryOptions, type RawQuery } from './opa-query-options.js';
import { ApiProblem } from './problem.js';
import { recordDecision } from './recorded-decision.js';

export interface OpaDataRoutesOptions {
  readonly engine: PolicyEngine;
  /** The same limits as `/policy/evaluate`'s: both share the engine's threads. */
  readonly admission?: EvaluationAdmission;
  readonly audit: AuditApiMapper;
  /** Monitor mode, and the shadow evaluated beside every query. */
  readonly rollout: PolicyRollout;
  readonly instanceName: string;
  /** The gateway's version, as `provenance.version` names it. */
  readonly version: string;
}

/** OPA's default decision (its `default_decision` setting's default). */
export const DEFAULT_DECISION_PATH: readonly string[] = Object.freeze(['system', 'main']);

/** OPA compresses answers from this size up (`server.encoding.gzip.min_length`'s default). */
const GZIP_MIN_LENGTH = 1024;

/** What OPA warns when a `POST /v1/data` body has no `input` member. */
/** A JSON answer of any shape (the document decides it). */
const DOCUMENT_ANSWER = Object.freeze({
  description: '`{"decision_id", "result"}`; no `result` when the document is undefined',
  content: { 'application/json': { schema: { type: 'object' } } },
});

const INPUT_MISSING_WARNING = Object.freeze({
  code: 'api_usage_warning',
  message: "'input' key missing from the request",
});

interface QueryFacts {
  readonly path: readonly string[];
  readonly input: unknown;
  readonly options: OpaQueryOptions;
}

export const opaDataRoutes: FastifyPluginAsync<OpaDataRoutesOptions> = async (app, deps) => {
  installOpaErrorHandling(app);
  await app.register(compress, {
    global: true,
    encodings: ['gzip'],
    requestEncodings: ['gzip'],
    threshold: GZIP_MIN_LENGTH,
  });

  /** Evaluates, records, then returns the answer; throws what is to be answered instead. */
  async function decide(
    request: FastifyRequest,
    reply: FastifyReply,
    asked: QueryFacts,
  ): Promise<Recorded> {
    // The policy sees the prompt's normalised forms beside it, as on /policy/evaluate; the
    // entry keeps only which normalisations changed it (`prompt-normalization.ts`).
    const query = { ...asked, input: normalizePolicyInput(asked.input) };
    const principal = principalOf(request);
    const startedAt = performance.now();
    const id = newAuditLogEntryId();
    const occurredAt = auditTimestampNow();
    const admitted = deps.admission?.admit(request.ip, queryCost(asked.input));
    if (admitted?.refused === true) {
      reply.header('retry-after', String(RETRY_AFTER_SECONDS));
      throw new ApiProblem('TOO_MANY_EVALUATIONS', admitted.detail);
    }
    const decisionId = randomUUID();
    const ref = documentRef(query.path);
    const userAgent = request.headers['user-agent'];
    const appendStartedAt = { value: 0 };
    const { answer, entry } = await recordDecision({
      audit: deps.audit,
      rollout: deps.rollout,
      ...(admitted === undefined ? {} : { admitted }),
      ask: () => askSafely(deps.engine, query),
      askShadow: (shadow) => shadow.queryDocument(documentQuery(query), ref),
      entry: (answer) => {
        appendStartedAt.value = performance.now();
        return dataApiAuditEntry(
          deps.engine,
          {
            ref,
            input: recordedPolicyInput(query.input),
            userId: subjectOf(principal, asked.input),
          },
          answer,
          {
            id,
            decisionId,
            occurredAt,
            requestId: request.id,
            clientRequestId: clientRequestIdOf(request.headers),
            clientAddress: clientAddressOf(request),
            userAgent: userAgent ?? null,
            gatewayInstance: deps.instanceName,
            principalId: principal.id,
            idempotencyKey: null,
            requestDigest: null,
          },
        );
      },
    });
    if (answer.kind === 'error' && entry.enforced !== false) {
      request.log.warn(
        { auditId: id, decisionId, error: answer.error },
        'Data API query failed; recorded as decision error and answered 500',
      );
      throw new OpaApiError(500, {
        code: 'internal_error',
        message: `error(s) occurred while evaluating ${ref}; the failure was recorded (decision_id ${decisionId})`,
        errors: [answer.error],
        decision_id: decisionId,
      });
    }
    const now = performance.now();
    const metrics = {
      timer_rego_query_eval_ns: Math.round(answer.latencyMs * 1e6),
      timer_audit_append_ns: Math.round((now - appendStartedAt.value) * 1e6),
      timer_server_handler_ns: Math.round((now - startedAt) * 1e6),
    };
    if (entry.enforced === false && entry.decision !== 'allow') {
      // Monitor mode: the entry keeps the real decision; the client is answered a grant.
      return { answer: grantingAnswer(answer), decisionId, ref, metrics };
    }
    return { answer, decisionId, ref, metrics };
  }

  function provenance() {
    return {
      version: deps.version,
      bundles: { 'policy-gateway': { revision: deps.engine.policyVersion } },
    };
  }

  function dataAnswer(
    reply: FastifyReply,
    recorded: Recorded,
    query: QueryFacts,
    warnAboutInput: boolean,
  ): FastifyReply {
    const { answer, decisionId, metrics } = recorded;
    const body = {
      decision_id: decisionId,
      ...(query.options.metrics ? { metrics } : {}),
      ...(query.options.provenance ? { provenance: provenance() } : {}),
      ...(answer.kind === 'defined' ? { result: answer.result } : {}),
      ...(warnAboutInput ? { warning: INPUT_MISSING_WARNING } : {}),
    };
    return sendJson(reply, body, query.options.pretty);
  }

  const dataRoute = {
    schema: {
      summary: "OPA's Data API: evaluate a document of the policy, recorded",
      description:
        'Evaluates `data.<path>` on the `input` member of the body, commits an `opa.data` audit entry, then answers `{"decision_id", "result"}` (no `result` when the document is undefined), as OPA does. Query parameters `pretty`, `provenance`, `metrics`, `strict-builtin-errors`; `explain` is not supported. Errors are OPA\'s `{"code", "message", "errors"}`; gzip request and response bodies are accepted.',
      response: { 200: DOCUMENT_ANSWER, ...OPA_ERROR_RESPONSES },
    },
  };

  const postData = async (request: FastifyRequest, reply: FastifyReply) => {
    const body = request.body;
    if (body !== undefined && !isRecord(body)) {
      throw new OpaApiError(400, {
        code: 'invalid_parameter',
        message: 'the body must be a JSON object, e.g. {"input": {…}}',
      });
    }
    const hasInput = body !== undefined && Object.hasOwn(body, 'input');
    const query: QueryFacts = {
      path: pathOf(request),
      input: hasInput ? body.input : undefined,
      options: opaQueryOptions(request.query as RawQuery),
    };
    const recorded = await decide(request, reply, query);
    return dataAnswer(reply, recorded, query, !hasInput);
  };
  app.post('/v1/data', dataRoute, postData);
  app.post('/v1/data/*', dataRoute, postData);

  const getData = async (request: FastifyRequest, reply: FastifyReply) => {
    const raw = request.query as RawQuery;
    const query: QueryFacts = {
      path: pathOf(request),
      input: inputParameter(raw),
      options: opaQueryOptions(raw),
    };
    return dataAnswer(reply, await decide(request, reply, query), query, false);
  };
  const getRoute = {
    schema: {
      summary: "OPA's Data API: evaluate a document of the policy (input in ?input=), recorded",
      description:
        'As `POST /v1/data/{path}`, with the input as JSON in the `input` query parameter.',
      response: { 200: DOCUMENT_ANSWER, ...OPA_ERROR_RESPONSES },
    },
  };
  app.get('/v1/data', getRoute, getData);
  app.get('/v1/data/*', getRoute, getData);

  app.post(
    '/',
    {
      schema: {
        summary: "OPA's default decision (data.system.main) on the body as input, recorded",
        description:
          "Evaluates `data.system.main` with the whole body as `input`, commits an `opa.data` audit entry, and answers the document itself, as OPA's `POST /` does; 404 `undefined_document` when it is undefined.",
        response: {
          200: {
            description: 'The document data.system.main',
            content: { 'application/json': { schema: {} } },
          },
          404: opaErrorResponse('`undefined_document`: data.system.main is undefined (recorded)'),
          ...OPA_ERROR_RESPONSES,
        },
      },
    },
    async (request, reply) => {
      const query: QueryFacts = {
        path: DEFAULT_DECISION_PATH,
        input: request.body ?? {},
        options: opaQueryOptions(request.query as RawQuery),
      };
      const recorded = await decide(request, reply, query);
      if (recorded.answer.kind !== 'defined') {
        throw new OpaApiError(404, {
          code: 'undefined_document',
          message: `document missing: ${recorded.ref}`,
          decision_id: recorded.decisionId,
        });
      }
      return sendJson(reply, recorded.answer.result, query.options.pretty);
    },
  );
};

interface Recorded {
  readonly answer: DocumentAnswer;
  readonly decisionId: string;
  readonly ref: string;
  readonly metrics: Readonly<Record<string, number>>;
}

function documentQuery(query: QueryFacts): DocumentQuery {
  return {
    path: query.path,
    ...(query.input === undefined ? {} : { input: query.input }),
    strictBuiltinErrors: query.options.strictBuiltinErrors,
  };
}

/**
 * What monitor mode answers for a document that would deny, or failed: a decision is answered
 * in its granting form, as `decisionOf` reads documents (an object with an `allow` member gets
 * `allow: true`; `false`, an undefined document or a failure become `true`). Other documents
 * are data rather than decisions, and are answered as evaluated.
 */
function grantingAnswer(answer: DocumentAnswer): DocumentAnswer {
  if (answer.kind === 'defined') {
    const { result } = answer;
    if (isRecord(result) && Object.hasOwn(result, 'allow')) {
      return { ...answer, result: { ...result, allow: true } };
    }
    if (result !== false) return answer;
  }
  return { kind: 'defined', result: true, latencyMs: answer.latencyMs };
}

async function askSafely(engine: PolicyEngine, query: QueryFacts): Promise<DocumentAnswer> {
  const startedAt = performance.now();
  try {
    return await engine.queryDocument(documentQuery(query));
  } catch (error) {
    // The port promises never to reject; if an adapter does, it is still a recorded error.
    return {
      kind: 'error',
      error: {
        code: 'internal_error',
        message: `policy engine failed: ${error instanceof Error ? error.message : String(error)}`,
      },
      latencyMs: performance.now() - startedAt,
    };
  }
}

function principalOf(request: FastifyRequest): Principal {
  // The guard identifies every caller of this area; its absence is a wiring fault.
  if (request.principal === undefined) {
    throw new ApiProblem('INTERNAL_ERROR', 'the caller was not identified');
  }
  return request.principal;
}

/** The path below `/v1/data/`, one element per non-empty segment (a trailing `/` is ignored). */
function pathOf(request: FastifyRequest): string[] {
  const rest = (request.params as { '*'?: string })['*'] ?? '';
  return rest.split('/').filter((segment) => segment !== '');
}

function inputParameter(query: RawQuery): unknown {
  const raw = query.input;
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string') {
    throw new OpaApiError(400, {
      code: 'invalid_parameter',
      message: 'the input query parameter is given more than once; send it once',
    });
  }
  try {
    return JSON.parse(raw);
  } catch (error) {
    throw new OpaApiError(400, {
      code: 'invalid_parameter',
      message: `the input query parameter is not valid JSON (${(error as Error).message})`,
    });
  }
}

/** Whom the entry is about: the input's `user_id` when the caller may name it, else the caller. */
function subjectOf(principal: Principal, input: unknown): string {
  const named = isRecord(input) && typeof input.user_id === 'string' ? input.user_id : undefined;
  if (named !== undefined && named !== '' && mayDecideAbout(principal, named)) return named;
  return principal.subject ?? principal.id;
}

/** Fair-queueing cost, as `evaluationCost` counts a prompt: a fixed part plus the input's size. */
function queryCost(input: unknown): number {
  return 1_024 + (input === undefined ? 0 : (JSON.stringify(input)?.length ?? 0));
}

function sendJson(reply: FastifyReply, body: unknown, pretty: boolean): FastifyReply {
  return reply
    .type('application/json')
    .send(pretty ? `${JSON.stringify(body, null, 2)}\n` : JSON.stringify(body));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
