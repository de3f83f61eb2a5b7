/**
 * The service's own area, a plugin registered at the root (no prefix): the probes
 * (`/health`, `/ready`) and the API description (`/openapi.json`), which stay open to
 * orchestrators and clients whatever the other areas require.
 */
import type { FastifyPluginAsync } from 'fastify';
import { type HealthRoutesOptions, healthRoutes } from './health-routes.js';
import { type OpenApiRouteOptions, openApiRoute } from './openapi.js';

export interface ServiceRoutesOptions extends HealthRoutesOptions, OpenApiRouteOptions {}

export const serviceRoutes: FastifyPluginAsync<ServiceRoutesOptions> = async (app, options) => {
  await app.register(healthRoutes, {
    store: options.store,
    engine: options.engine,
    guard: options.guard,
    ...(options.rollout === undefined ? {} : { rollout: options.rollout }),
  });
  await app.register(openApiRoute, { routes: options.routes, version: options.version });
};
