/**
 * Counts every answered HTTP request by method, declared route and status, and times it: one
 * `onResponse` hook at the root, so that every area (and every 404) is counted. The route is
 * the pattern a route was declared with (`/governance/audit/:id`), never the URL asked for.
 */
import type { FastifyInstance } from 'fastify';
import type { GatewayMetrics } from './gateway-metrics.js';

export function countHttpRequests(app: FastifyInstance, metrics: GatewayMetrics): void {
  app.addHook('onResponse', async (request, reply) => {
    metrics.answered(
      request.method,
      request.routeOptions.url ?? 'unmatched',
      reply.statusCode,
      reply.elapsedTime / 1000,
    );
  });
}
