/**
 * Every setting of the gateway, parsed, validated and defaulted from the environment in one
 * place. The result is frozen; a bad value fails with one line naming the variable and what
 * it accepts. Nothing else in the service reads `process.env`.
 */
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export type AuditStoreBackend = 'memory' | 'postgres' | 'embedded';
export const AUDIT_STORE_BACKENDS: readonly AuditStoreBackend[] = [
  'memory',
  'postgres',
  'embedded',
];

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
const LOG_LEVELS: readonly LogLevel[] = [
  'fatal',
  'error',
  'warn',
  'info',
  'debug',
  'trace',
  'silent',
];

/** Where the audit trail lives; exactly one of these, chosen by the backend. */
export type StoreSettings =
  | { readonly backend: 'memory'; readonly maxEntries: number }
  | {
      readonly backend: 'postgres';
      /** Normalised for `pg` (`postgresql://…`), whatever scheme the operator wrote. */
      readonly databaseUrl: string;
      /** The same URL with the password masked, for logs. */
      readonly redactedDatabaseUrl: string;
      readonly poolSize: number;
      readonly connect: ConnectSettings;
    }
  | {
      readonly backend: 'embedded';
      /** Absolute path of the data directory. */
      readonly dataDir: string;
      readonly connect: ConnectSettings;
    };

export interface ConnectSettings {
  /** How long start-up waits for the database before giving up. */
  readonly maxWaitMs: number;
  /** First retry delay; doubles after each failed attempt, capped at 5 s. */
  readonly initialBackoffMs: number;
  /** Bound on acquiring a connection and on each statement. */
  readonly operationTimeoutMs: number;
}

export interface Settings {
  readonly host: string;
  readonly port: number;
  readonly store: StoreSettings;
  readonly policy: {
    readonly opaUrl: string | undefined;
    readonly opaTimeoutMs: number;
    readonly bundleDir: string;
    readonly path: string;
  };
  readonly corsOrigins: readonly string[];
  readonly bodyLimitBytes: number;
  readonly maxPromptBytes: number;
  readonly trustProxy: boolean;
  readonly instanceName: string;
  readonly logLevel: LogLevel;
}

/** A setting that cannot be used; the message is one line an operator can act on. */
export class SettingsError extends Error {
  override readonly name = 'SettingsError';
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(message);
  }
}

export interface SettingDescription {
  readonly name: string;
  /** As shown to operators; `(unset)` when there is none. */
  readonly default: string;
  readonly description: string;
}

const DEFAULT_BUNDLE_DIR = fileURLToPath(new URL('../../policies/', import.meta.url));

/** The documented table of settings; README.md's configuration table is checked against it. */
export const SETTINGS_TABLE: readonly SettingDescription[] = Object.freeze([
  {
    name: 'POLICY_GATEWAY_AUDIT_STORE_BACKEND',
    default: '`postgres` if `POLICY_GATEWAY_DATABASE_URL` is set, else `embedded`',
    description:
      'Where the audit trail is kept: `postgres` (a PostgreSQL server), `embedded` (PGlite in `POLICY_GATEWAY_DATA_DIR`) or `memory` (bounded, lost on restart; only without a database URL).',
  },
  {
    name: 'POLICY_GATEWAY_DATABASE_URL',
    default: '(unset)',
    description:
      'PostgreSQL server URL; `postgresql://`, `postgres://` and `postgresql+asyncpg://` are accepted as written.',
  },
  {
    name: 'POLICY_GATEWAY_DATA_DIR',
    default: '`./data/policy-gateway` (relative to the working directory)',
    description:
      'Directory of the embedded database. One process per directory: a second one refuses to start.',
  },
  {
    name: 'POLICY_GATEWAY_HOST',
    default: '`0.0.0.0`',
    description:
      'Address to listen on. All interfaces by default so container probes reach it; set `127.0.0.1` on a shared workstation.',
  },
  { name: 'POLICY_GATEWAY_PORT', default: '`8080`', description: 'TCP port (0 picks a free one).' },
  {
    name: 'POLICY_GATEWAY_OPA_URL',
    default: '(unset: embedded engine)',
    description:
      'Base URL of an OPA server (e.g. `http://opa:8181`); when set, decisions come from its Data API.',
  },
  {
    name: 'POLICY_GATEWAY_OPA_TIMEOUT_MS',
    default: '`2000`',
    description: 'How long to wait for OPA before the decision is `error` (fail-closed).',
  },
  {
    name: 'POLICY_GATEWAY_POLICY_BUNDLE_DIR',
    default: 'the shipped `policies/` bundle',
    description: 'Rego bundle directory loaded by the embedded engine.',
  },
  {
    name: 'POLICY_GATEWAY_POLICY_PATH',
    default: '`data.policy_gateway.decision`',
    description: 'Data path of the decision document.',
  },
  {
    name: 'POLICY_GATEWAY_CORS_ORIGINS',
    default: '`http://localhost:5173`',
    description: 'Comma-separated origins allowed by CORS (the Workbench); `*` allows any origin.',
  },
  {
    name: 'POLICY_GATEWAY_DB_POOL_SIZE',
    default: '`10`',
    description: 'Maximum connections to the PostgreSQL server.',
  },
  {
    name: 'POLICY_GATEWAY_DB_CONNECT_MAX_WAIT_MS',
    default: '`30000`',
    description: 'How long start-up waits for the database to accept connections before giving up.',
  },
  {
    name: 'POLICY_GATEWAY_DB_CONNECT_BACKOFF_MS',
    default: '`250`',
    description: 'First delay between connection attempts at start-up; doubles, capped at 5 s.',
  },
  {
    name: 'POLICY_GATEWAY_DB_TIMEOUT_MS',
    default: '`5000`',
    description:
      'Bound on acquiring a connection and on each statement; beyond it the request fails with 503.',
  },
  {
    name: 'POLICY_GATEWAY_BODY_LIMIT_BYTES',
    default: '`1048576`',
    description: 'Largest request body accepted (413 beyond).',
  },
  {
    name: 'POLICY_GATEWAY_MAX_PROMPT_BYTES',
    default: '`65536`',
    description: 'Largest prompt, in UTF-8 bytes (413 beyond).',
  },
  {
    name: 'POLICY_GATEWAY_MEMORY_STORE_MAX_ENTRIES',
    default: '`1000`',
    description: 'Capacity of the `memory` store; the oldest entries are dropped first.',
  },
  {
    name: 'POLICY_GATEWAY_TRUST_PROXY',
    default: '`false`',
    description:
      'Take the client address from `X-Forwarded-For` (set `true` behind a reverse proxy).',
  },
  {
    name: 'POLICY_GATEWAY_INSTANCE',
    default: '`<host name>:<pid>`',
    description: 'Name of this gateway process, recorded in every audit entry.',
  },
  {
    name: 'POLICY_GATEWAY_LOG_LEVEL',
    default: '`info`',
    description: 'One of `fatal`, `error`, `warn`, `info`, `debug`, `trace`, `silent`.',
  },
]);

type Env = Readonly<Record<string, string | undefined>>;

/** Reads a variable; empty and blank count as unset, so `FOO=` in a compose file means default. */
function read(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new SettingsError(
      name,
      `${name}=${raw} is invalid: expected an integer from ${min} to ${max}`,
    );
  }
  return Number(raw);
}

function boolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = read(env, name)?.toLowerCase();
  if (raw === undefined) return fallback;
  if (raw === 'true' || raw === '1' || raw === 'yes') return true;
  if (raw === 'false' || raw === '0' || raw === 'no') return false;
  throw new SettingsError(name, `${name}=${raw} is invalid: expected true or false`);
}

const DATABASE_URL_SCHEMES = ['postgresql:', 'postgres:', 'postgresql+asyncpg:'];

/**
 * Accepts the URL forms operators already have (SQLAlchemy's `postgresql+asyncpg://` too) and
 * rewrites the scheme for `pg`, keeping credentials, host, database and query as written.
 */
export function normaliseDatabaseUrl(raw: string): { url: string; redacted: string } {
  const name = 'POLICY_GATEWAY_DATABASE_URL';
  const accepted =
    'expected postgresql://user:password@host:5432/database (postgres:// and postgresql+asyncpg:// are accepted too)';
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new SettingsError(name, `${name} is not a valid URL: ${accepted}`);
  }
  if (!DATABASE_URL_SCHEMES.includes(parsed.protocol)) {
    throw new SettingsError(name, `${name} has scheme ${parsed.protocol}//: ${accepted}`);
  }
  const rest = raw.slice(raw.indexOf('://') + 3);
  const url = `postgresql://${rest}`;
  const check = new URL(url);
  if (check.hostname === '') {
    throw new SettingsError(name, `${name} names no host: ${accepted}`);
  }
  if (check.pathname === '' || check.pathname === '/') {
    throw new SettingsError(name, `${name} names no database: ${accepted}`);
  }
  if (check.password !== '') check.password = '***';
  return { url, redacted: check.toString() };
}

function corsOrigins(env: Env): readonly string[] {
  const name = 'POLICY_GATEWAY_CORS_ORIGINS';
  const raw = read(env, name);
  if (raw === undefined) return ['http://localhost:5173'];
  const origins = raw
    .split(',')
    .map((origin) => origin.trim())
    .filter((origin) => origin !== '');
  for (const origin of origins) {
    if (origin === '*') continue;
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {
      parsed = undefined;
    }
    if (
      parsed === undefined ||
      (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') ||
      parsed.origin !== origin.replace(/\/$/, '')
    ) {
      throw new SettingsError(
        name,
        `${name} contains "${origin}": expected comma-separated origins like http://localhost:5173, or *`,
      );
    }
  }
  return origins.map((origin) => origin.replace(/\/$/, ''));
}

function httpUrl(env: Env, name: string): string | undefined {
  const raw = read(env, name);
  if (raw === undefined) return undefined;
  try {
    const parsed = new URL(raw);
    if (parsed.protocol === 'http:' || parsed.protocol === 'https:') return raw.replace(/\/+$/, '');
  } catch {
    // Falls through to the one-line error below.
  }
  throw new SettingsError(name, `${name}=${raw} is invalid: expected an http:// or https:// URL`);
}

function storeSettings(env: Env, cwd: string): StoreSettings {
  const backendName = 'POLICY_GATEWAY_AUDIT_STORE_BACKEND';
  const urlName = 'POLICY_GATEWAY_DATABASE_URL';
  const rawBackend = read(env, backendName)?.toLowerCase();
  const rawUrl = read(env, urlName);
  if (rawBackend !== undefined && !AUDIT_STORE_BACKENDS.includes(rawBackend as AuditStoreBackend)) {
    throw new SettingsError(
      backendName,
      `${backendName}=${rawBackend} is unknown: expected memory, postgres or embedded`,
    );
  }
  const backend =
    (rawBackend as AuditStoreBackend | undefined) ?? (rawUrl ? 'postgres' : 'embedded');
  const connect: ConnectSettings = {
    maxWaitMs: integer(env, 'POLICY_GATEWAY_DB_CONNECT_MAX_WAIT_MS', 30_000, 0, 3_600_000),
    initialBackoffMs: integer(env, 'POLICY_GATEWAY_DB_CONNECT_BACKOFF_MS', 250, 10, 60_000),
    operationTimeoutMs: integer(env, 'POLICY_GATEWAY_DB_TIMEOUT_MS', 5_000, 100, 600_000),
  };
  switch (backend) {
    case 'memory':
      if (rawUrl !== undefined) {
        throw new SettingsError(
          urlName,
          `${urlName} is set but ${backendName}=memory: unset the URL to use the non-durable memory store, or choose postgres`,
        );
      }
      return {
        backend,
        maxEntries: integer(env, 'POLICY_GATEWAY_MEMORY_STORE_MAX_ENTRIES', 1000, 1, 10_000_000),
      };
    case 'embedded':
      if (rawUrl !== undefined) {
        throw new SettingsError(
          urlName,
          `${urlName} is set but ${backendName}=embedded: unset the URL to use the embedded database in POLICY_GATEWAY_DATA_DIR, or choose postgres`,
        );
      }
      return {
        backend,
        dataDir: resolve(cwd, read(env, 'POLICY_GATEWAY_DATA_DIR') ?? './data/policy-gateway'),
        connect,
      };
    case 'postgres': {
      if (rawUrl === undefined) {
        throw new SettingsError(
          urlName,
          `${urlName} is required when ${backendName}=postgres: expected postgresql://user:password@host:5432/database`,
        );
      }
      const { url, redacted } = normaliseDatabaseUrl(rawUrl);
      return {
        backend,
        databaseUrl: url,
        redactedDatabaseUrl: redacted,
        poolSize: integer(env, 'POLICY_GATEWAY_DB_POOL_SIZE', 10, 1, 1000),
        connect,
      };
    }
  }
}

/**
 * Parses the environment into frozen settings; throws `SettingsError` on the first bad value.
 *
 * @example
 * const settings = loadSettings(process.env);
 */
export function loadSettings(env: Env, cwd: string = process.cwd()): Settings {
  const logLevel = (read(env, 'POLICY_GATEWAY_LOG_LEVEL')?.toLowerCase() ?? 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new SettingsError(
      'POLICY_GATEWAY_LOG_LEVEL',
      `POLICY_GATEWAY_LOG_LEVEL=${logLevel} is unknown: expected one of ${LOG_LEVELS.join(', ')}`,
    );
  }
  const policyPath = read(env, 'POLICY_GATEWAY_POLICY_PATH') ?? 'data.policy_gateway.decision';
  if (!/^data(\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(policyPath)) {
    throw new SettingsError(
      'POLICY_GATEWAY_POLICY_PATH',
      `POLICY_GATEWAY_POLICY_PATH=${policyPath} is invalid: expected a dotted data path like data.policy_gateway.decision`,
    );
  }
  const settings: Settings = {
    host: read(env, 'POLICY_GATEWAY_HOST') ?? '0.0.0.0',
    port: integer(env, 'POLICY_GATEWAY_PORT', 8080, 0, 65_535),
    store: storeSettings(env, cwd),
    policy: {
      opaUrl: httpUrl(env, 'POLICY_GATEWAY_OPA_URL'),
      opaTimeoutMs: integer(env, 'POLICY_GATEWAY_OPA_TIMEOUT_MS', 2000, 1, 600_000),
      bundleDir: resolve(cwd, read(env, 'POLICY_GATEWAY_POLICY_BUNDLE_DIR') ?? DEFAULT_BUNDLE_DIR),
      path: policyPath,
    },
    corsOrigins: corsOrigins(env),
    bodyLimitBytes: integer(env, 'POLICY_GATEWAY_BODY_LIMIT_BYTES', 1_048_576, 1024, 1_073_741_824),
    maxPromptBytes: integer(env, 'POLICY_GATEWAY_MAX_PROMPT_BYTES', 65_536, 1, 1_073_741_824),
    trustProxy: boolean(env, 'POLICY_GATEWAY_TRUST_PROXY', false),
    instanceName: read(env, 'POLICY_GATEWAY_INSTANCE') ?? `${hostname()}:${process.pid}`,
    logLevel,
  };
  return deepFreeze(settings);
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
