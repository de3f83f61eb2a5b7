/**
 * CORS preflights that lack what makes them preflights. @fastify/cors answers an `OPTIONS`
 * request without `Origin` or `Access-Control-Request-Method` with a plain-text 400; this hook,
 * run before it, refuses the same requests with the API's `application/problem+json` instead.
 */
import type { FastifyRequest } from 'fastify';
import { ApiProblem } from './problem.js';

/** An `onRequest` hook for the root, added before the CORS plugin. */
export async function requireCompletePreflight(request: FastifyRequest): Promise<void> {
  if (request.method !== 'OPTIONS') return;
  const missing = ['origin', 'access-control-request-method'].filter(
    (header) => typeof request.headers[header] !== 'string' || request.headers[header] === '',
  );
  if (missing.length > 0) {
    throw new ApiProblem(
      'BAD_REQUEST',
      `OPTIONS is for CORS preflights, which need ${missing.map((h) => (h === 'origin' ? 'Origin' : 'Access-Control-Request-Method')).join(' and ')}`,
    );
  }
}
