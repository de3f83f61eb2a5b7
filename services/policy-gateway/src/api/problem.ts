/**
 * RFC 9457 problem details: the shape of every error the API answers with, built from the
 * error catalogue so that a status, title and code never disagree.
 */
import { PROBLEM_CONTENT_TYPE } from '@policy-gateway/gateway-contract';
import type { FastifyReply } from 'fastify';
import { ERROR_CATALOGUE, type ErrorCode, problemType } from './error-catalogue.js';

export interface ProblemBody {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly code: ErrorCode;
  /** The offending body field or query parameter, when one is to blame. */
  readonly field?: string;
  readonly request_id?: string;
  /** Extra members, e.g. `audit_id` of a recorded evaluation failure. */
  readonly [extension: string]: unknown;
}

/** How an answer tells the caller when to try again (for 503s that shed load). */
export interface ProblemOptions {
  /** Sent as the `Retry-After` header. */
  readonly retryAfterSeconds?: number;
}

/** Thrown by handlers; the error handler turns it into a problem response. */
export class ApiProblem extends Error {
  override readonly name = 'ApiProblem';
  constructor(
    readonly code: ErrorCode,
    readonly detail: string,
    readonly field?: string,
    readonly extensions: Readonly<Record<string, unknown>> = {},
    readonly options: ProblemOptions = {},
  ) {
    super(detail);
  }

  get status(): number {
    return ERROR_CATALOGUE[this.code].status;
  }
}

export function problemBody(problem: ApiProblem, requestId: string | undefined): ProblemBody {
  const entry = ERROR_CATALOGUE[problem.code];
  return {
    type: problemType(problem.code),
    title: entry.title,
    status: entry.status,
    detail: problem.detail,
    code: problem.code,
    ...(problem.field === undefined ? {} : { field: problem.field }),
    ...(requestId === undefined ? {} : { request_id: requestId }),
    ...problem.extensions,
  };
}

export function sendProblem(reply: FastifyReply, problem: ApiProblem): FastifyReply {
  const { retryAfterSeconds } = problem.options;
  if (retryAfterSeconds !== undefined) reply.header('retry-after', String(retryAfterSeconds));
  return reply
    .code(problem.status)
    .type(PROBLEM_CONTENT_TYPE)
    .send(problemBody(problem, reply.request.id));
}
