/**
 * The HTTP side of evaluation admission: a refused evaluation is answered `503
 * TOO_MANY_EVALUATIONS` with `Retry-After`, and is not recorded, since no decision was made
 * (like a `413`). `refuseEarly` refuses before the body is even read, so that a client
 * flooding the gateway costs it as little as possible; the route admits for real afterwards.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { EvaluationAdmission, Refusal } from './evaluation-admission.js';
import { ApiProblem, sendProblem } from './problem.js';

/** Long enough for a turn to come free (an evaluation takes milliseconds), short for a caller. */
export const RETRY_AFTER_SECONDS = 1;

/** Answers a refused evaluation. Logged as a warning: the gateway is fine, only busy. */
export function refuseEvaluation(reply: FastifyReply, refusal: Refusal): FastifyReply {
  reply.request.log.warn({ limit: refusal.limit }, `evaluation refused: ${refusal.detail}`);
  reply.header('retry-after', String(RETRY_AFTER_SECONDS));
  return sendProblem(reply, new ApiProblem('TOO_MANY_EVALUATIONS', refusal.detail));
}

/** An `onRequest` hook for the evaluate route: refuses what admission would refuse now. */
export function refuseEarly(
  admission: EvaluationAdmission,
): (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply | undefined> {
  return async (request, reply) => {
    const refusal = admission.refusal(request.ip);
    return refusal === undefined ? undefined : refuseEvaluation(reply, refusal);
  };
}
