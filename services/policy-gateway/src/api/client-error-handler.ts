/**
 * Answers what goes wrong before a request reaches the routes — malformed HTTP, headers over
 * Node's size limit, a client too slow to send its request, requests Node would answer by
 * itself — with the same `application/problem+json` as every other error, then closes the
 * connection: after a malformed request nobody can tell where the next one would start.
 */
import { type IncomingMessage, type Server, type ServerResponse, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { PROBLEM_CONTENT_TYPE } from '@policy-gateway/gateway-contract';
import type { FastifyInstance } from 'fastify';
import { ApiProblem, problemBody } from './problem.js';

/** What Node's HTTP parser and timers report on a connection (`clientError`). */
interface ClientError extends Error {
  readonly code?: string;
}

function problemFor(error: ClientError): ApiProblem {
  switch (error.code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new ApiProblem(
        'REQUEST_TIMEOUT',
        'the request was not received in time (POLICY_GATEWAY_HEADERS_TIMEOUT_MS for the headers, POLICY_GATEWAY_REQUEST_TIMEOUT_MS for the whole request)',
      );
    case 'HPE_HEADER_OVERFLOW':
      return new ApiProblem(
        'HEADERS_TOO_LARGE',
        'the request line and headers together exceed 16 KiB',
      );
    default:
      return new ApiProblem(
        'BAD_REQUEST',
        `the request is not valid HTTP/1.1 (${error.code ?? error.message})`,
      );
  }
}

/** The raw HTTP/1.1 answer: the connection has no response object to send it through. */
function rawProblemResponse(problem: ApiProblem): string {
  const body = JSON.stringify(problemBody(problem, undefined));
  return [
    `HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status] ?? ''}`,
    `Content-Type: ${PROBLEM_CONTENT_TYPE}; charset=utf-8`,
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
    '',
    body,
  ].join('\r\n');
}

/**
 * Fastify's `clientErrorHandler`, called with the Fastify instance as `this`.
 *
 * @example
 * Fastify({ clientErrorHandler: answerClientError });
 */
export function answerClientError(this: FastifyInstance, error: ClientError, socket: Socket): void {
  // A reset connection has nobody to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const problem = problemFor(error);
  this.log.debug(
    { err: error, remoteAddress: socket.remoteAddress, code: problem.code },
    'connection closed on a client error',
  );
  // As Node does: write only when no answer to an earlier request on this connection has begun,
  // or the problem would be spliced into it.
  const inFlight = (socket as Socket & { _httpMessage?: ServerResponse })._httpMessage;
  if (socket.writable && (inFlight === undefined || inFlight === null || !inFlight.headersSent)) {
    socket.write(rawProblemResponse(problem));
  }
  socket.destroy(error);
}

/**
 * Requests Node answers by itself when nobody listens, outside Fastify and not as problems:
 * `CONNECT` (it would close the connection unanswered; the gateway is no proxy) and an
 * `Expect` other than `100-continue` (a bare 417). Both are answered here as problems.
 *
 * @example
 * refuseRequestsNodeWouldAnswer(app.server);
 */
export function refuseRequestsNodeWouldAnswer(server: Server): void {
  server.on('connect', (_request: IncomingMessage, socket: Socket) => {
    socket.on('error', () => {});
    if (socket.writable) {
      socket.write(
        rawProblemResponse(
          new ApiProblem('BAD_REQUEST', 'CONNECT is not supported: this gateway is not a proxy'),
        ),
      );
    }
    socket.destroy();
  });
  server.on('checkExpectation', (request: IncomingMessage, response: ServerResponse) => {
    const problem = new ApiProblem(
      'EXPECTATION_FAILED',
      `Expect: ${request.headers.expect ?? ''} is not supported; only 100-continue is`,
      'Expect',
    );
    const body = JSON.stringify(problemBody(problem, undefined));
    response.writeHead(problem.status, {
      'content-type': `${PROBLEM_CONTENT_TYPE}; charset=utf-8`,
      'content-length': Buffer.byteLength(body),
      connection: 'close',
    });
    response.end(body);
  });
}
