/**
 * Turns every failure — schema violations, body limits, problems thrown by handlers and the
 * JSON body parser, unknown routes, bugs — into an `application/problem+json` answer from the
 * catalogue.
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import { ApiProblem, sendProblem } from './problem.js';
import { validationProblem } from './validation-problem.js';

function fromFastifyError(error: FastifyError): ApiProblem | undefined {
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ApiProblem(
        'UNSUPPORTED_MEDIA_TYPE',
        'the body must be sent with Content-Type: application/json',
        'Content-Type',
      );
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiProblem(
        'BODY_TOO_LARGE',
        'the body exceeds the limit (POLICY_GATEWAY_BODY_LIMIT_BYTES)',
      );
  }
  if (error.validation !== undefined) {
    return validationProblem(error.validation, error.validationContext);
  }
  if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
    return new ApiProblem('BAD_REQUEST', error.message);
  }
  return undefined;
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler<FastifyError | ApiProblem>((error, request, reply) => {
    const problem = error instanceof ApiProblem ? error : fromFastifyError(error);
    if (problem !== undefined) {
      if (problem.status >= 500)
        request.log.error({ err: problem.cause ?? problem }, problem.detail);
      return sendProblem(reply, problem);
    }
    request.log.error({ err: error }, 'unexpected error');
    return sendProblem(
      reply,
      new ApiProblem('INTERNAL_ERROR', `unexpected error; see the log for request ${request.id}`),
    );
  });
  app.setNotFoundHandler((request, reply) =>
    sendProblem(
      reply,
      new ApiProblem(
        'NOT_FOUND',
        `no route ${request.method} ${request.url.split('?')[0]}; see /openapi.json`,
      ),
    ),
  );
}
