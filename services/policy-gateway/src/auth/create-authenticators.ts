/**
 * The authenticators the gateway runs with, made once at start-up from the settings and the
 * audit store's key repository: API keys (always; in the database, or in memory with the
 * memory audit store) and OIDC tokens (when `POLICY_GATEWAY_OIDC_ISSUER` is set). The guard
 * (`api/authentication.ts`) takes `authenticators`; the admin routes and nothing else take
 * `apiKeys`. API key records are cached per process where that stays exact
 * (`cached-api-key-repository.ts`): on a PostgreSQL server the cache listens for changes, on
 * the embedded database this process is the only writer; with the memory store there is
 * nothing to save, a lookup is already in memory.
 *
 * @example
 * const auth = await createAuthenticators({ oidc: settings.oidc, apiKeys: store.apiKeys, required: true, log });
 * for (const warning of auth.warnings) log.warn(warning);
 * // … buildApp({ …, authenticators: auth.authenticators, apiKeys: auth.apiKeys }); later: await auth.close();
 */
import type { Logger } from 'pino';
import type { StoreSettings } from '../config/settings.js';
import { UnusableSettingError } from '../config/unusable-setting-error.js';
import { ApiKeyAuthenticator } from './api-key-authenticator.js';
import { type ApiKeyChanges, THIS_PROCESS_ONLY } from './api-key-changes.js';
import { ApiKeyManager } from './api-key-manager.js';
import type { ApiKeyRepository } from './api-key-repository.js';
import type { Authenticator } from './authenticator.js';
import { CachedApiKeyRepository } from './cached-api-key-repository.js';
import { OidcAuthenticator, type OidcAuthenticatorOptions } from './oidc-authenticator.js';
import type { OidcSettings } from './oidc-settings.js';
import { PostgresApiKeyChangeListener } from './postgres/postgres-api-key-change-listener.js';

export interface AuthenticatorsDeps {
  readonly oidc: OidcSettings;
  /**
   * Where API keys live: the audit store's (`store.apiKeys`), in its database, or in memory
   * with the memory audit store.
   */
  readonly apiKeys: ApiKeyRepository;
  /**
   * Whether requests must authenticate (`POLICY_GATEWAY_AUTH=on`): then a gateway where no
   * credential could ever be valid (memory store, no OIDC issuer) is refused.
   */
  readonly required: boolean;
  readonly log: Pick<Logger, 'info' | 'warn'>;
  /**
   * Caching API key records (`POLICY_GATEWAY_API_KEY_CACHE_*`) and where the keys are kept,
   * which decides how the cache hears of changes; undefined: every request looks its key up.
   */
  readonly apiKeyCache?: {
    readonly ttlSeconds: number;
    readonly maxEntries: number;
    readonly store: StoreSettings;
  };
  /** Tests only: clock and key-fetch timings of the OIDC authenticator. */
  readonly oidcOptions?: OidcAuthenticatorOptions;
  /** Tests only: the clock API keys are checked against. */
  readonly now?: () => Date;
}

export interface Authenticators {
  /** By name, in the order the guard tries them: `api_key`, then `oidc` when configured. */
  readonly authenticators: Readonly<Record<string, Authenticator>>;
  /** Making, listing and revoking keys, for the admin routes (`/admin/keys`). */
  readonly apiKeys: ApiKeyManager;
  /** Standing caveats for the start-up log. */
  readonly warnings: readonly string[];
  close(): Promise<void>;
}

/** Refuses settings that half-configure OIDC, with one line saying what to set. */
function configuredOidc(
  oidc: OidcSettings,
): (OidcSettings & { issuer: string; audience: string }) | undefined {
  if (oidc.issuer === undefined) {
    const stray = (
      [
        ['POLICY_GATEWAY_OIDC_AUDIENCE', oidc.audience],
        ['POLICY_GATEWAY_OIDC_JWKS_URL', oidc.jwksUrl],
        ['POLICY_GATEWAY_OIDC_WORKBENCH_CLIENT_ID', oidc.workbenchClientId],
      ] as const
    ).find(([, value]) => value !== undefined);
    if (stray === undefined) return undefined;
    throw new UnusableSettingError(
      ['POLICY_GATEWAY_OIDC_ISSUER', stray[0]],
      `${stray[0]} is set but POLICY_GATEWAY_OIDC_ISSUER is not: set the issuer whose tokens the gateway accepts, or unset ${stray[0]}`,
    );
  }
  if (oidc.audience === undefined) {
    throw new UnusableSettingError(
      ['POLICY_GATEWAY_OIDC_AUDIENCE'],
      'POLICY_GATEWAY_OIDC_ISSUER is set but POLICY_GATEWAY_OIDC_AUDIENCE is not: set the audience (aud) the identity provider puts in tokens for this gateway, so that tokens meant for other services are refused',
    );
  }
  return { ...oidc, issuer: oidc.issuer, audience: oidc.audience };
}

/** Where a cache of keys kept in `store` hears of changes; undefined: no cache is worth it. */
function changesOf(
  store: StoreSettings,
  log: Pick<Logger, 'info' | 'warn'>,
): ApiKeyChanges | undefined {
  switch (store.backend) {
    case 'memory':
      return undefined;
    case 'embedded':
      // The data directory is locked by this process: `keys revoke` cannot run beside it, and
      // the admin routes revoke through the repository the cache wraps.
      return THIS_PROCESS_ONLY;
    case 'postgres':
      return new PostgresApiKeyChangeListener({
        connectionString: store.databaseUrl,
        timeoutMs: store.connect.operationTimeoutMs,
        onListening: () =>
          log.info('listening for API key changes: verified keys are answered from memory'),
        onDeaf: (error) =>
          log.warn(
            { err: error },
            'not listening for API key changes (every API key is looked up in the database until listening resumes); reconnecting',
          ),
      });
  }
}

/** The repository the API key authenticator reads through, and what closing it releases. */
function keyLookups(
  repository: ApiKeyRepository,
  deps: AuthenticatorsDeps,
): { readonly keys: ApiKeyRepository; close(): Promise<void> } {
  const cache = deps.apiKeyCache;
  const changes =
    cache === undefined || cache.ttlSeconds === 0 ? undefined : changesOf(cache.store, deps.log);
  if (cache === undefined || changes === undefined) {
    return { keys: repository, close: async () => {} };
  }
  const cached = new CachedApiKeyRepository(repository, changes, {
    ttlMs: cache.ttlSeconds * 1000,
    maxEntries: cache.maxEntries,
  });
  return { keys: cached, close: () => cached.close() };
}

export async function createAuthenticators(deps: AuthenticatorsDeps): Promise<Authenticators> {
  const oidc = configuredOidc(deps.oidc);
  const warnings: string[] = [];
  const repository = deps.apiKeys;
  if (!repository.durable) {
    if (deps.required && oidc === undefined) {
      throw new UnusableSettingError(
        ['POLICY_GATEWAY_AUTH', 'POLICY_GATEWAY_AUDIT_STORE_BACKEND', 'POLICY_GATEWAY_OIDC_ISSUER'],
        'POLICY_GATEWAY_AUTH=on with the memory audit store has no way to sign in: API keys are kept in the database, so use the embedded or postgres backend (POLICY_GATEWAY_AUDIT_STORE_BACKEND), or set POLICY_GATEWAY_OIDC_ISSUER to accept tokens',
      );
    }
    warnings.push(
      'API keys are kept in memory with the memory audit store: keys made through POST /admin/keys are lost on restart, and `policy-gateway keys` cannot reach them',
    );
  }
  if (repository.durable && deps.required && oidc === undefined) {
    const keys = await repository.list({ limit: 1 });
    if (keys.length === 0) {
      warnings.push(
        'authentication is on and no API key exists yet, so every request but /health, /ready and /openapi.json is refused: make one with `policy-gateway keys create --role admin` against the same database (for the embedded one, while the gateway is stopped; in a container, `--entrypoint policy-gateway <image> keys create --role admin` on the same volume), or set POLICY_GATEWAY_OIDC_ISSUER',
      );
    }
  }
  const apiKeys = new ApiKeyManager(repository, deps.now === undefined ? {} : { now: deps.now });
  const lookups = keyLookups(repository, deps);
  const authenticators: Record<string, Authenticator> = {
    api_key: new ApiKeyAuthenticator(lookups.keys, {
      ...(deps.now === undefined ? {} : { now: deps.now }),
      onClose: () => lookups.close(),
      onTouchError: (error) =>
        deps.log.warn({ err: error }, 'could not record when an API key was last used'),
    }),
  };
  if (oidc !== undefined) authenticators.oidc = new OidcAuthenticator(oidc, deps.oidcOptions);
  return {
    authenticators: Object.freeze(authenticators),
    apiKeys,
    warnings: Object.freeze(warnings),
    async close() {
      await Promise.allSettled(
        Object.values(authenticators).map((authenticator) => authenticator.close()),
      );
    },
  };
}
