/**
 * Every setting of the gateway, parsed, validated and defaulted from the environment in one
 * place, following the declarations in `setting-declarations.ts`. The result is frozen; a bad
 * value fails with one line naming the variable and what it accepts. Nothing else in the
 * service reads `process.env`.
 */
import type { PartitionInterval } from '@policy-gateway/governance-runtime/postgres';
import type { OidcSettings } from '../auth/oidc-settings.js';
import type { Env, SettingContext } from './setting-declaration.js';
import { rawSetting, readSetting } from './setting-declaration.js';
import {
  type AuthSetting,
  type EnforcementMode,
  type LogLevel,
  SETTING_DECLARATIONS,
} from './setting-declarations.js';
import type { SubjectKeysLocation, TrustedProxies } from './setting-parsers.js';
import { readSettingTree } from './setting-tree.js';
import { readStoreSettings, type StoreSettings } from './store-settings.js';

export type { AuditStoreBackend, AuthSetting, LogLevel } from './setting-declarations.js';
export type { TrustedProxies } from './setting-parsers.js';
export type { ConnectSettings, StoreSettings } from './store-settings.js';

/** The settings; each field but `store` is filled by the declaration at the same place. */
export interface Settings {
  readonly host: string;
  /** `POLICY_GATEWAY_AUTH`; undefined when unset (`config/authentication-mode.ts` decides). */
  readonly auth: AuthSetting | undefined;
  /** Host names a request's `Host` may carry, lower-case: `*`, a name, or `.domain`. */
  readonly allowedHosts: readonly string[];
  readonly port: number;
  /** `serve` processes (`cluster/worker-count.ts` resolves the default); undefined when unset. */
  readonly workers: number | undefined;
  /** V8's `--max-semi-space-size` for each cluster worker, in MiB; 0 keeps V8's default. */
  readonly workerSemiSpaceMb: number;
  readonly store: StoreSettings;
  /**
   * Tamper evidence (issue 11): the checkpoint signing key, the checkpoint cadence, and how
   * often the gateway verifies its own trail.
   */
  readonly auditChain: {
    /** The operator's key file; undefined: generated in `dataDir`. */
    readonly signingKeyFile: string | undefined;
    readonly checkpointEveryEntries: number;
    readonly checkpointIntervalMs: number;
    /** 0: no scheduled verification. */
    readonly verifyIntervalSeconds: number;
    readonly verifyFullIntervalSeconds: number;
  };
  /** Retention (issue 12): undefined days keep everything. */
  readonly retention: {
    /** The span of each partition made from now on. */
    readonly partitionInterval: PartitionInterval;
    readonly days: number | undefined;
    /** undefined: as `days`. */
    readonly accessLogDays: number | undefined;
  };
  /** Privacy in the audit trail (issue 13). */
  readonly privacy: {
    readonly masking: 'on' | 'off';
    readonly sealOriginals: 'on' | 'off';
    /** undefined: generated in `dataDir`. */
    readonly kekFile: string | undefined;
    readonly userIds: 'plain' | 'hmac';
    /** undefined: generated in `dataDir`. */
    readonly hmacKeyFile: string | undefined;
    /** undefined: files in `subject-keys` in `dataDir`. */
    readonly subjectKeys: SubjectKeysLocation | undefined;
  };
  /**
   * `POLICY_GATEWAY_DATA_DIR` whatever the store backend: the embedded database's directory,
   * and where a generated signing key is kept.
   */
  readonly dataDir: string;
  readonly policy: {
    readonly opaUrl: string | undefined;
    readonly opaTimeoutMs: number;
    readonly bundleDir: string;
    readonly path: string;
    /** Polled for new bundles (`policy/bundle-poller.ts`); undefined: no polling. */
    readonly bundleUrl: string | undefined;
    readonly bundlePollIntervalMs: number;
    readonly bundleToken: string | undefined;
    readonly bundleVerificationKeyFile: string | undefined;
    /** A candidate bundle every decision is also evaluated under, recorded only (shadow rollout). */
    readonly shadowBundleDir: string | undefined;
    /** `monitor`: every answer allows; entries record the real decision with `enforced: false`. */
    readonly enforcement: EnforcementMode;
    /** Hosts the policy's `http.send` and `net.lookup_ip_addr` may reach; undefined: none. */
    readonly httpAllowedHosts: readonly string[] | undefined;
  };
  readonly evaluation: {
    readonly workers: number;
    readonly timeoutMs: number;
    readonly queueLimit: number;
    readonly perClientLimit: number;
  };
  /** Bounds on client connections: how long they may take, and how many may be open. */
  readonly connections: {
    readonly headersTimeoutMs: number;
    readonly requestTimeoutMs: number;
    readonly keepAliveTimeoutMs: number;
    readonly idleTimeoutMs: number;
    readonly maxConnections: number;
  };
  /** The per-process cache of API key records (`auth/cached-api-key-repository.ts`). */
  readonly apiKeyCache: {
    /** 0: no cache. */
    readonly ttlSeconds: number;
    readonly maxEntries: number;
  };
  /** `POLICY_GATEWAY_OIDC_*`: no OIDC authenticator without an issuer. */
  readonly oidc: OidcSettings;
  /** Decision-log ingestion from OPA servers (`api/opa-decision-log-routes.ts`). */
  readonly decisionLogs: { readonly path: string; readonly maxBytes: number };
  readonly corsOrigins: readonly string[];
  readonly bodyLimitBytes: number;
  readonly maxPromptBytes: number;
  readonly maxContextBytes: number;
  readonly maxJsonDepth: number;
  readonly trustProxy: TrustedProxies;
  readonly auditPageMaxBytes: number;
  /** The HMAC key of audit page cursors. */
  readonly cursorSecret: string;
  readonly instanceName: string;
  readonly logLevel: LogLevel;
}

/**
 * Parses the environment into frozen settings; throws `SettingsError` on the first bad value.
 *
 * @example
 * const settings = loadSettings(process.env);
 */
export function loadSettings(env: Env, cwd: string = process.cwd()): Settings {
  const context: SettingContext = {
    cwd,
    isSet: (setting) => rawSetting(env, setting.name) !== undefined,
  };
  const { store, ...others } = SETTING_DECLARATIONS;
  // Typed against Settings: a field without its declaration does not compile.
  const values: Omit<Settings, 'store' | 'dataDir'> = readSettingTree(env, others, context);
  return deepFreeze({
    ...values,
    store: readStoreSettings(env, context),
    dataDir: readSetting(env, store.dataDir, context),
  });
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
