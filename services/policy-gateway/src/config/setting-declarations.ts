/**
 * Every setting of the gateway, declared once: variable, parser, default, description. The tree
 * has the shape of `Settings`, so where a declaration sits is the field it fills; its order is
 * the README's. To add a setting, declare it here and add its field to `Settings`.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { declareSetting } from './setting-declaration.js';
import {
  type DatabaseUrl,
  databaseUrl,
  dataPath,
  directory,
  httpUrl,
  integer,
  oneOf,
  origins,
  secret,
  text,
  trustedProxies,
} from './setting-parsers.js';

export const AUDIT_STORE_BACKENDS = ['memory', 'postgres', 'embedded'] as const;
export type AuditStoreBackend = (typeof AUDIT_STORE_BACKENDS)[number];

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const DATABASE_URL = declareSetting<DatabaseUrl | undefined>({
  name: 'POLICY_GATEWAY_DATABASE_URL',
  parse: databaseUrl,
  default: undefined,
  description:
    'PostgreSQL server URL; `postgresql://`, `postgres://` and `postgresql+asyncpg://` are accepted as written.',
});

const DEFAULT_DATA_DIR = './data/policy-gateway';

/**
 * The audit store's settings. Which of them apply depends on the backend, so this group is read
 * by `readStoreSettings` (which picks the variant) rather than as a whole.
 */
const STORE_SETTINGS = {
  backend: declareSetting({
    name: 'POLICY_GATEWAY_AUDIT_STORE_BACKEND',
    parse: oneOf(AUDIT_STORE_BACKENDS),
    computeDefault: ({ isSet }) => (isSet(DATABASE_URL) ? 'postgres' : 'embedded'),
    documentedDefault: `\`postgres\` if \`${DATABASE_URL.name}\` is set, else \`embedded\``,
    description: `Where the audit trail is kept: \`postgres\` (a PostgreSQL server), \`embedded\` (PGlite in \`POLICY_GATEWAY_DATA_DIR\`) or \`memory\` (bounded, lost on restart; only without a database URL).`,
  }),
  databaseUrl: DATABASE_URL,
  dataDir: declareSetting({
    name: 'POLICY_GATEWAY_DATA_DIR',
    parse: directory,
    computeDefault: ({ cwd }) => resolve(cwd, DEFAULT_DATA_DIR),
    documentedDefault: `\`${DEFAULT_DATA_DIR}\` (relative to the working directory)`,
    description:
      'Directory of the embedded database. One process per directory: a second one refuses to start.',
  }),
  poolSize: declareSetting({
    name: 'POLICY_GATEWAY_DB_POOL_SIZE',
    parse: integer(1, 1000),
    default: 10,
    description: 'Maximum connections to the PostgreSQL server.',
  }),
  connect: {
    maxWaitMs: declareSetting({
      name: 'POLICY_GATEWAY_DB_CONNECT_MAX_WAIT_MS',
      parse: integer(0, 3_600_000),
      default: 30_000,
      description:
        'How long start-up waits for the database to accept connections before giving up.',
    }),
    initialBackoffMs: declareSetting({
      name: 'POLICY_GATEWAY_DB_CONNECT_BACKOFF_MS',
      parse: integer(10, 60_000),
      default: 250,
      description: 'First delay between connection attempts at start-up; doubles, capped at 5 s.',
    }),
    operationTimeoutMs: declareSetting({
      name: 'POLICY_GATEWAY_DB_TIMEOUT_MS',
      parse: integer(100, 600_000),
      default: 5_000,
      description:
        'Bound on acquiring a connection and on each statement; beyond it the request fails with 503.',
    }),
  },
  maxEntries: declareSetting({
    name: 'POLICY_GATEWAY_MEMORY_STORE_MAX_ENTRIES',
    parse: integer(1, 10_000_000),
    default: 1000,
    description: 'Capacity of the `memory` store; the oldest entries are dropped first.',
  }),
};

export const SETTING_DECLARATIONS = {
  store: STORE_SETTINGS,
  host: declareSetting({
    name: 'POLICY_GATEWAY_HOST',
    parse: text,
    default: '0.0.0.0',
    description:
      'Address to listen on. All interfaces by default so container probes reach it; set `127.0.0.1` on a shared workstation.',
  }),
  port: declareSetting({
    name: 'POLICY_GATEWAY_PORT',
    parse: integer(0, 65_535),
    default: 8080,
    description: 'TCP port (0 picks a free one).',
  }),
  connections: {
    headersTimeoutMs: declareSetting({
      name: 'POLICY_GATEWAY_HEADERS_TIMEOUT_MS',
      parse: integer(100, 3_600_000),
      default: 10_000,
      description:
        "How long a client may take to send a request's headers; beyond it the gateway answers `408 REQUEST_TIMEOUT` and closes the connection. At most `POLICY_GATEWAY_REQUEST_TIMEOUT_MS` (the smaller is used).",
    }),
    requestTimeoutMs: declareSetting({
      name: 'POLICY_GATEWAY_REQUEST_TIMEOUT_MS',
      parse: integer(100, 3_600_000),
      default: 30_000,
      description:
        'How long a client may take to send a whole request, headers and body; beyond it `408 REQUEST_TIMEOUT` and the connection is closed. The time the gateway takes to answer does not count.',
    }),
    keepAliveTimeoutMs: declareSetting({
      name: 'POLICY_GATEWAY_KEEP_ALIVE_TIMEOUT_MS',
      parse: integer(1, 3_600_000),
      default: 72_000,
      description:
        'How long an idle kept-alive connection is kept for its next request. Longer than the idle timeout of a proxy in front (often 60 s), so that the proxy, not the gateway, closes it.',
    }),
    idleTimeoutMs: declareSetting({
      name: 'POLICY_GATEWAY_CONNECTION_TIMEOUT_MS',
      parse: integer(0, 3_600_000),
      default: 60_000,
      description:
        'A connection on which nothing moves either way for this long is closed, even while its request is being answered; `0` never closes one for that.',
    }),
    maxConnections: declareSetting({
      name: 'POLICY_GATEWAY_MAX_CONNECTIONS',
      parse: integer(1, 1_000_000),
      default: 1000,
      description:
        'Open client connections at most; one more is closed as soon as it is accepted, and the log says so.',
    }),
  },
  corsOrigins: declareSetting({
    name: 'POLICY_GATEWAY_CORS_ORIGINS',
    parse: origins,
    // Both spellings of the local Workbench: a browser treats them as different origins.
    default: ['http://localhost:5173', 'http://127.0.0.1:5173'],
    description: 'Comma-separated origins allowed by CORS (the Workbench); `*` allows any origin.',
  }),
  trustProxy: declareSetting({
    name: 'POLICY_GATEWAY_TRUST_PROXY',
    parse: trustedProxies,
    default: false,
    documentedDefault: '`false` (none)',
    description:
      'The reverse proxies whose `X-Forwarded-For` is believed: comma-separated addresses or CIDRs (`10.0.0.0/8,127.0.0.1`; `loopback`, `linklocal`, `uniquelocal` too). The recorded client address is the nearest hop that is not one of them, and only ever a valid IP (else null). `true` and hop counts are refused: they would let a client choose the address recorded for it.',
  }),
  bodyLimitBytes: declareSetting({
    name: 'POLICY_GATEWAY_BODY_LIMIT_BYTES',
    parse: integer(1024, 1_073_741_824),
    default: 1_048_576,
    description: 'Largest request body accepted (413 beyond).',
  }),
  maxPromptBytes: declareSetting({
    name: 'POLICY_GATEWAY_MAX_PROMPT_BYTES',
    parse: integer(1, 1_073_741_824),
    default: 65_536,
    description: 'Largest prompt, in UTF-8 bytes (413 beyond).',
  }),
  maxContextBytes: declareSetting({
    name: 'POLICY_GATEWAY_MAX_CONTEXT_BYTES',
    parse: integer(2, 1_073_741_824),
    default: 16_384,
    description:
      'Largest `context` of an evaluation, in UTF-8 bytes of its compact JSON (413 beyond): it is stored in every audit entry.',
  }),
  maxJsonDepth: declareSetting({
    name: 'POLICY_GATEWAY_MAX_JSON_DEPTH',
    parse: integer(2, 1000),
    default: 32,
    description:
      'Deepest nesting of objects and arrays in a request body, the body itself being level 1 (400 beyond).',
  }),
  auditPageMaxBytes: declareSetting({
    name: 'POLICY_GATEWAY_AUDIT_PAGE_MAX_BYTES',
    parse: integer(1024, 1_073_741_824),
    default: 1_048_576,
    description:
      'Largest page of `GET /governance/audit`, in bytes of its entries (UTF-8 text and JSON): a page that would exceed it ends early with a `next_cursor` (it always holds one entry), so that reading the trail takes bounded memory whatever `limit` asks.',
  }),
  cursorSecret: declareSetting({
    name: 'POLICY_GATEWAY_CURSOR_SECRET',
    parse: secret(32),
    computeDefault: () => randomBytes(32).toString('base64url'),
    documentedDefault: 'a random key per process',
    description:
      'Key of the HMAC that signs each `next_cursor`, so that an altered cursor is refused (`400 INVALID_CURSOR`); at least 32 characters. Give every replica that serves one audit trail the same value: otherwise a cursor works only on the process that issued it, until it restarts.',
  }),
  policy: {
    opaUrl: declareSetting<string | undefined>({
      name: 'POLICY_GATEWAY_OPA_URL',
      parse: httpUrl,
      default: undefined,
      documentedDefault: '(unset: embedded engine)',
      description:
        'Base URL of an OPA server (e.g. `http://opa:8181`); when set, decisions come from its Data API.',
    }),
    opaTimeoutMs: declareSetting({
      name: 'POLICY_GATEWAY_OPA_TIMEOUT_MS',
      parse: integer(1, 600_000),
      default: 2000,
      description: 'How long to wait for OPA before the decision is `error` (fail-closed).',
    }),
    bundleDir: declareSetting({
      name: 'POLICY_GATEWAY_POLICY_BUNDLE_DIR',
      parse: directory,
      default: fileURLToPath(new URL('../../policies', import.meta.url)),
      documentedDefault: 'the shipped `policies/` bundle',
      description: 'Rego bundle directory loaded by the embedded engine.',
    }),
    path: declareSetting({
      name: 'POLICY_GATEWAY_POLICY_PATH',
      parse: dataPath,
      default: 'data.policy_gateway.decision',
      description: 'Data path of the decision document.',
    }),
  },
  evaluation: {
    workers: declareSetting({
      name: 'POLICY_GATEWAY_EVAL_WORKERS',
      parse: integer(0, 256),
      // Not derived from the CPU count: Node 20 sees the host's CPUs, not a container's CPU
      // limit, and each thread holds its own compiled bundle (about 50 MB).
      default: 1,
      description:
        'Worker threads that run the embedded engine, so that evaluations never hold up other requests; raise it up to one less than the CPUs the gateway may use. `0` evaluates on the main thread (no isolation, no hard stop of an overrunning evaluation).',
    }),
    timeoutMs: declareSetting({
      name: 'POLICY_GATEWAY_EVAL_TIMEOUT_MS',
      parse: integer(1, 600_000),
      default: 1000,
      description:
        'Time budget of one embedded evaluation; beyond it the decision is `error` (fail-closed), and a worker that is still silent after half as long again (at least 250 ms more) is stopped and replaced.',
    }),
    queueLimit: declareSetting({
      name: 'POLICY_GATEWAY_EVAL_QUEUE_LIMIT',
      parse: integer(0, 100_000),
      default: 64,
      description:
        'Evaluations that may wait for a free worker (with OPA: queries in flight at once); beyond it `503 TOO_MANY_EVALUATIONS` with `Retry-After`.',
    }),
    perClientLimit: declareSetting({
      name: 'POLICY_GATEWAY_EVAL_PER_CLIENT_LIMIT',
      parse: integer(1, 100_000),
      default: 8,
      description:
        'Evaluations one client address may have running or waiting; beyond it `503 TOO_MANY_EVALUATIONS` with `Retry-After`.',
    }),
  },
  instanceName: declareSetting({
    name: 'POLICY_GATEWAY_INSTANCE',
    parse: text,
    computeDefault: () => `${hostname()}:${process.pid}`,
    documentedDefault: '`<host name>:<pid>`',
    description: 'Name of this gateway process, recorded in every audit entry.',
  }),
  logLevel: declareSetting({
    name: 'POLICY_GATEWAY_LOG_LEVEL',
    parse: oneOf(LOG_LEVELS),
    default: 'info',
    description: `One of ${LOG_LEVELS.map((level) => `\`${level}\``).join(', ')}.`,
  }),
};
