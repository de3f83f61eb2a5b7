/**
 * Probes: `/health` says the process is alive (liveness); `/ready` says whether it can do
 * its job — store reachable, schema current or ahead — and whether the trail is durable.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { PolicyEngine } from '../policy/policy-engine.js';
import { type AuditStore, isServable } from '../store/audit-store.js';
import { healthResponseSchema, readyResponseSchema } from './schemas.js';

export interface HealthRoutesOptions {
  readonly store: AuditStore;
  readonly engine: PolicyEngine;
}

export const healthRoutes: FastifyPluginAsync<HealthRoutesOptions> = async (
  app,
  { store, engine },
) => {
  app.get(
    '/health',
    {
      schema: {
        summary: 'Liveness: the process is up',
        response: { 200: healthResponseSchema },
      },
    },
    async () => ({ status: 'ok' }),
  );

  app.get(
    '/ready',
    {
      schema: {
        summary: 'Readiness: the audit store is reachable and its schema serves this build',
        response: {
          200: { ...readyResponseSchema, description: 'Ready to evaluate and record' },
          503: { ...readyResponseSchema, description: 'Not ready; `store` says why' },
        },
      },
    },
    async (request, reply) => {
      const health = await store.check();
      const ready = isServable(health);
      const warnings = [...store.warnings];
      if (!health.reachable) {
        warnings.push(
          `the ${store.backend} audit store is unreachable: ${health.problem ?? 'no answer'}`,
        );
      } else if (health.schema === 'behind') {
        warnings.push('the database schema is behind this build: run `policy-gateway migrate`');
      } else if (health.schema === 'ahead') {
        warnings.push('the database schema is ahead of this build (a newer build migrated it)');
      }
      if (!ready) request.log.warn({ store: health }, 'not ready');
      return reply.code(ready ? 200 : 503).send({
        status: ready ? 'ready' : 'not_ready',
        store: {
          backend: store.backend,
          durable: store.durable,
          reachable: health.reachable,
          schema: health.schema,
          ...(health.droppedEntries !== undefined && { dropped_entries: health.droppedEntries }),
        },
        policy: { engine: engine.name, path: engine.policyPath, version: engine.policyVersion },
        warnings,
      });
    },
  );
};
