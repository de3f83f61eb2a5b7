/** Builds the app over a memory store and the scripted engine, as most route tests need. */
import type { OidcSignIn } from '@policy-gateway/gateway-contract';
import type { FastifyInstance } from 'fastify';
import type { AuthenticationOptions } from '../../src/api/authentication.js';
import type { AreaScopes } from '../../src/api/routes.js';
import { type AppSettings, buildApp } from '../../src/app.js';
import type { AuditStore } from '../../src/store/audit-store.js';
import { createMemoryStore } from '../../src/store/memory-store.js';
import { ScriptedPolicyEngine } from './scripted-policy-engine.js';

export const TEST_APP_SETTINGS: AppSettings = {
  corsOrigins: ['http://localhost:5173'],
  bodyLimitBytes: 1_048_576,
  maxPromptBytes: 64,
  maxContextBytes: 16_384,
  maxJsonDepth: 32,
  trustProxy: false,
  connections: {
    headersTimeoutMs: 10_000,
    requestTimeoutMs: 30_000,
    keepAliveTimeoutMs: 72_000,
    idleTimeoutMs: 60_000,
    maxConnections: 1000,
  },
  auditPageMaxBytes: 1_048_576,
  cursorSecret: 'a test key of at least 32 characters',
  instanceName: 'test-gateway',
  allowedHosts: ['localhost'],
};

export interface TestApp {
  readonly app: FastifyInstance;
  readonly store: AuditStore;
  readonly engine: ScriptedPolicyEngine;
}

export async function buildTestApp(
  overrides: {
    store?: AuditStore;
    settings?: Partial<AppSettings>;
    scopes?: AreaScopes;
    authentication?: AuthenticationOptions;
    oidcSignIn?: OidcSignIn;
  } = {},
): Promise<TestApp> {
  const store = overrides.store ?? createMemoryStore(100);
  const engine = new ScriptedPolicyEngine();
  const app = await buildApp({
    settings: { ...TEST_APP_SETTINGS, ...overrides.settings },
    store,
    engine,
    scopes: overrides.scopes,
    ...(overrides.authentication === undefined ? {} : { authentication: overrides.authentication }),
    ...(overrides.oidcSignIn === undefined ? {} : { oidcSignIn: overrides.oidcSignIn }),
  });
  return { app, store, engine };
}
