/**
 * The errors Fastify's router raises before a route is chosen — a path that is not valid
 * percent-encoded UTF-8, a path parameter past its length limit — answered as problems like
 * every other error rather than as Fastify's own JSON.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ApiProblem, sendProblem } from './problem.js';

/** Fastify's `frameworkErrors` option. */
export function answerFrameworkError(
  error: FastifyError,
  _request: FastifyRequest,
  reply: FastifyReply,
): void {
  const detail =
    error.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? 'a path segment is longer than the 100 characters a route parameter takes'
      : error.code === 'FST_ERR_BAD_URL'
        ? 'the path is not valid percent-encoded UTF-8'
        : `the request cannot be routed (${error.code})`;
  sendProblem(reply, new ApiProblem('BAD_REQUEST', detail));
}
