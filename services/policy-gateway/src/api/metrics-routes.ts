/**
 * `GET /metrics`: the gateway's metrics in Prometheus' text format, in a plugin scope of its
 * own. Any valid credential may scrape (`authenticated`), as any may read `/ready`'s details:
 * the figures are counts and latencies, with no user, prompt or entry in them, so Prometheus
 * is given the least powerful key there is (an `evaluator` key of its own) rather than one
 * that reads the trail or manages keys. With several workers, any worker answers for all of
 * them (`metrics/metrics-source.ts`).
 */
import type { FastifyPluginAsync } from 'fastify';
import type { MetricsSource } from '../metrics/metrics-source.js';
import { ApiProblem } from './problem.js';
import { problemResponse } from './schemas.js';

export interface MetricsRoutesOptions {
  readonly source: MetricsSource;
}

export const metricsRoutes: FastifyPluginAsync<MetricsRoutesOptions> = async (app, { source }) => {
  app.get(
    '/metrics',
    {
      config: { access: 'authenticated' },
      schema: {
        summary: "The gateway's metrics, in Prometheus' text format",
        description:
          'Decisions by outcome and policy version, evaluation and audit commit latency, audit batch sizes and queue depth, audit store errors, HTTP requests by route and status, and process metrics; one series per worker (label `worker`).',
        response: {
          200: {
            description: 'Prometheus text exposition format 0.0.4',
            content: { 'text/plain': { schema: { type: 'string' } } },
          },
          503: problemResponse('The workers did not all answer in time; retry'),
        },
      },
    },
    async (request, reply) => {
      let text: string;
      try {
        text = await source.metrics();
      } catch (error) {
        request.log.error({ err: error }, 'metrics could not be gathered');
        throw new ApiProblem(
          'METRICS_UNAVAILABLE',
          `the metrics could not be gathered from every worker (${error instanceof Error ? error.message : String(error)}); retry`,
        );
      }
      return reply.type(source.contentType).send(text);
    },
  );
};
