/**
 * The admin area's API key routes, registered under `/admin` with the `admin` role
 * (`AREA_ACCESS`): list keys, make one (its text is in that one answer), revoke one at once.
 * They do what `policy-gateway keys` does, for when the CLI cannot open the database (the
 * embedded one, while `serve` holds it) or an operator works over HTTP.
 */
import {
  ApiKeyIdParamsSchema,
  type ApiKeyJson,
  type ApiKeyList,
  ApiKeyListSchema,
  ApiKeySchema,
  type CreateApiKeyRequest,
  CreateApiKeyRequestSchema,
  type CreatedApiKey,
  CreatedApiKeySchema,
} from '@policy-gateway/gateway-contract';
import type { FastifyPluginAsync } from 'fastify';
import { parseApiKeyExpiry } from '../auth/api-key-expiry.js';
import {
  type ApiKeyDescription,
  type ApiKeyManager,
  apiKeyNameProblem,
} from '../auth/api-key-manager.js';
import { ApiProblem } from './problem.js';
import { problemResponse } from './schemas.js';

export interface AdminKeyRoutesOptions {
  readonly keys: ApiKeyManager;
}

/** Keys listed at most: a bound on the answer, far above what an organisation keeps. */
export const ADMIN_KEY_LIST_MAX = 1000;

function toJson(key: ApiKeyDescription): ApiKeyJson {
  return {
    id: key.id,
    role: key.role,
    name: key.name,
    created_at: key.createdAt.toISOString(),
    created_by: key.createdBy,
    expires_at: key.expiresAt?.toISOString() ?? null,
    revoked_at: key.revokedAt?.toISOString() ?? null,
    last_used_at: key.lastUsedAt?.toISOString() ?? null,
  };
}

const UNAUTHORISED = {
  401: problemResponse('No valid credentials'),
  403: problemResponse('The credentials lack the admin role'),
};

export const adminKeyRoutes: FastifyPluginAsync<AdminKeyRoutesOptions> = async (app, { keys }) => {
  app.get(
    '/keys',
    {
      schema: {
        summary: 'List API keys, newest first (never their secrets)',
        description: `At most ${ADMIN_KEY_LIST_MAX} keys. Admin role.`,
        response: { 200: ApiKeyListSchema, ...UNAUTHORISED },
      },
    },
    async (): Promise<ApiKeyList> => ({
      keys: (await keys.list(ADMIN_KEY_LIST_MAX)).map(toJson),
    }),
  );

  app.post<{ Body: CreateApiKeyRequest }>(
    '/keys',
    {
      schema: {
        summary: 'Make an API key; the answer holds its text, shown this once',
        description: 'Admin role. The key authenticates as `Authorization: Bearer <key>`.',
        body: CreateApiKeyRequestSchema,
        response: {
          201: CreatedApiKeySchema,
          400: problemResponse('A field is missing or invalid'),
          ...UNAUTHORISED,
        },
      },
    },
    async (request, reply): Promise<CreatedApiKey> => {
      const { role, name, expires } = request.body;
      const nameProblem = name === undefined ? undefined : apiKeyNameProblem(name);
      if (nameProblem !== undefined) {
        throw new ApiProblem('INVALID_FIELD', nameProblem, 'name');
      }
      let expiresAt: Date | null = null;
      if (expires !== undefined) {
        const parsed = parseApiKeyExpiry(expires, new Date());
        if (!(parsed instanceof Date)) {
          throw new ApiProblem('INVALID_FIELD', parsed.error, 'expires');
        }
        expiresAt = parsed;
      }
      const { key, description } = await keys.create({
        role,
        name: name ?? null,
        expiresAt,
        createdBy: request.principal?.id ?? null,
      });
      reply.code(201);
      return { ...toJson(description), key };
    },
  );

  app.post<{ Params: { id: string } }>(
    '/keys/:id/revoke',
    {
      schema: {
        summary: 'Revoke an API key at once',
        description:
          'Admin role. Its next use is refused, on every gateway sharing the database. Revoking a revoked key answers it as it is.',
        params: ApiKeyIdParamsSchema,
        response: {
          200: ApiKeySchema,
          404: problemResponse('No such key'),
          ...UNAUTHORISED,
        },
      },
    },
    async (request) => {
      const revoked = await keys.revoke(request.params.id);
      if (revoked === undefined) {
        throw new ApiProblem('NOT_FOUND', `no API key ${request.params.id}`);
      }
      return toJson(revoked);
    },
  );
};
