/**
 * `/openapi.json`, generated from the routes exactly as Fastify registered them: the same
 * schema objects that validate requests and serialise responses, so the document cannot
 * drift from the behaviour.
 */
import { STATUS_CODES } from 'node:http';
import type { FastifyInstance, FastifyPluginAsync, RouteOptions } from 'fastify';

type JsonObject = Record<string, unknown>;

declare module 'fastify' {
  // Route documentation lives next to the validation schemas it describes.
  interface FastifySchema {
    summary?: string;
    description?: string;
    /** Who may call, as OpenAPI says it (`operationSecurity`); set by the authentication guard. */
    security?: readonly Readonly<Record<string, readonly string[]>>[];
  }
}

interface RouteSchema {
  readonly summary?: string;
  readonly description?: string;
  readonly body?: JsonObject;
  readonly querystring?: JsonObject;
  readonly params?: JsonObject;
  readonly headers?: JsonObject;
  readonly response?: Record<string, JsonObject>;
  readonly security?: readonly Readonly<Record<string, readonly string[]>>[];
}

/**
 * The credentials the gateway takes, both as `Authorization: Bearer …`: its own API keys and
 * the identity provider's access tokens (when `POLICY_GATEWAY_OIDC_ISSUER` is set).
 */
export const SECURITY_SCHEMES = Object.freeze({
  apiKey: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'pgw_<id>_<secret>',
    description:
      'An API key made by `policy-gateway keys create` or `POST /admin/keys`; its role is fixed when it is made.',
  },
  oidcToken: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description:
      'An access token of the identity provider the gateway trusts (POLICY_GATEWAY_OIDC_ISSUER), for the configured audience; roles come from its roles claim (POLICY_GATEWAY_OIDC_ROLES_CLAIM). GET /auth/config names the issuer.',
  },
});

/**
 * An operation's `security` for an access rule: either credential, holding `role` when one is
 * named (OpenAPI 3.1 lets `http` schemes list the roles an operation needs); an `optional`
 * operation also takes none (`{}`), as the open routes do, reading credentials only when sent.
 */
export function operationSecurity(
  access: { readonly role?: string; readonly optional?: boolean } = {},
): readonly Readonly<Record<string, readonly string[]>>[] {
  const roles = access.role === undefined ? [] : [access.role];
  return [
    ...(access.optional ? [{}] : []),
    ...Object.keys(SECURITY_SCHEMES).map((scheme) => ({ [scheme]: roles })),
  ];
}

export interface DocumentedRoute {
  readonly method: string;
  readonly url: string;
  readonly schema: RouteSchema;
}

/**
 * Records every route with a schema as it is registered, with its full URL (prefix
 * included): the hook is added to the root before the area plugins, and a child scope
 * inherits its parent's `onRoute` hooks.
 */
export function collectRoutes(app: FastifyInstance): DocumentedRoute[] {
  const routes: DocumentedRoute[] = [];
  app.addHook('onRoute', (route: RouteOptions) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      if (method === 'HEAD' || method === 'OPTIONS' || route.schema === undefined) continue;
      routes.push({ method, url: route.url, schema: route.schema as RouteSchema });
    }
  });
  return routes;
}

function parameters(
  schema: JsonObject | undefined,
  location: 'query' | 'path' | 'header',
): JsonObject[] {
  if (schema === undefined) return [];
  const properties = (schema.properties ?? {}) as Record<string, JsonObject>;
  const required = (schema.required ?? []) as string[];
  return Object.entries(properties).map(([name, property]) => {
    const { description, ...rest } = property;
    return {
      name,
      in: location,
      required: location === 'path' || required.includes(name),
      ...(description === undefined ? {} : { description }),
      schema: rest,
    };
  });
}

function responses(map: Record<string, JsonObject> | undefined): JsonObject {
  const out: JsonObject = {};
  for (const [status, response] of Object.entries(map ?? {})) {
    const described = (response.description as string | undefined) ?? STATUS_CODES[status] ?? '';
    out[status] =
      'content' in response
        ? { description: described, content: response.content }
        : { description: described, content: { 'application/json': { schema: response } } };
  }
  return out;
}

export function openApiDocument(routes: readonly DocumentedRoute[], version: string): JsonObject {
  const paths: Record<string, Record<string, JsonObject>> = {};
  for (const { method, url, schema } of routes) {
    const path = url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const operation: JsonObject = {
      ...(schema.summary === undefined ? {} : { summary: schema.summary }),
      ...(schema.description === undefined ? {} : { description: schema.description }),
      parameters: [
        ...parameters(schema.params, 'path'),
        ...parameters(schema.querystring, 'query'),
        ...parameters(schema.headers, 'header'),
      ],
      ...(schema.body === undefined
        ? {}
        : {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: schema.body } },
            },
          }),
      responses: responses(schema.response),
      ...(schema.security === undefined ? {} : { security: schema.security }),
    };
    paths[path] = { ...paths[path], [method.toLowerCase()]: operation };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Policy gateway',
      version,
      description:
        'Evaluates Rego policies on prompts and records every decision in an audit trail. Errors are application/problem+json (RFC 9457).',
    },
    paths,
    components: { securitySchemes: SECURITY_SCHEMES },
  };
}

export interface OpenApiRouteOptions {
  /** The routes `collectRoutes` records; read when the document is first asked for. */
  readonly routes: readonly DocumentedRoute[];
  readonly version: string;
}

export const openApiRoute: FastifyPluginAsync<OpenApiRouteOptions> = async (
  app,
  { routes, version },
) => {
  let document: JsonObject | undefined;
  app.get(
    '/openapi.json',
    {
      schema: {
        summary: 'This document: the OpenAPI 3.1 description of every route',
        response: { 200: { type: 'object', additionalProperties: true } },
      },
    },
    async () => {
      document ??= openApiDocument(routes, version);
      return document;
    },
  );
};
