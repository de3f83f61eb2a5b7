/**
 * Every setting of the gateway, declared once: variable, parser, default, description. The tree
 * has the shape of `Settings`, so where a declaration sits is the field it fills; its order is
 * the README's. To add a setting, declare it here and add its field to `Settings`.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { ENFORCEMENT_MODES } from '@policy-gateway/gateway-contract';
import { GROUP_COMMIT_DEFAULTS } from '@policy-gateway/governance-runtime';
import { PARTITION_INTERVALS } from '@policy-gateway/governance-runtime/postgres';
import { ROLES, type Role } from '../auth/principal.js';
import { PACKAGE_DIRECTORY } from '../package-directory.js';
import { declareSetting } from './setting-declaration.js';
import {
  claimPath,
  type DatabaseUrl,
  databaseUrl,
  dataPath,
  directory,
  hostNames,
  httpUrl,
  integer,
  oneOf,
  origins,
  roleMap,
  routePath,
  type SubjectKeysLocation,
  secret,
  subjectKeysLocation,
  text,
  trustedProxies,
} from './setting-parsers.js';

export const AUDIT_STORE_BACKENDS = ['memory', 'postgres', 'embedded'] as const;
export type AuditStoreBackend = (typeof AUDIT_STORE_BACKENDS)[number];

/** `POLICY_GATEWAY_AUTH`: whether requests must authenticate; unset is the workstation case. */
export const AUTH_SETTINGS = ['on', 'off'] as const;
export type AuthSetting = (typeof AUTH_SETTINGS)[number];

/** `POLICY_GATEWAY_ENFORCEMENT`: answer decisions as made, or answer allow and only record them. */
export type EnforcementMode = (typeof ENFORCEMENT_MODES)[number];

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
  readDatabaseUrl: declareSetting<DatabaseUrl | undefined>({
    name: 'POLICY_GATEWAY_READ_DATABASE_URL',
    parse: databaseUrl,
    default: undefined,
    description:
      'A streaming replica of `POLICY_GATEWAY_DATABASE_URL` that serves the audit reads (`GET /governance/audit`, get-by-id, sealed originals); writes, idempotency lookups, API keys, the access log and integrity checks stay on the primary. An entry not found there yet (replication lag) is looked up on the primary; while the replica fails, reads go to the primary and `/ready` says so. `postgres` store only.',
  }),
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
  /** Group commit on `serve`'s write path (issue 12), whatever the backend. */
  writeBatch: {
    maxEntries: declareSetting({
      name: 'POLICY_GATEWAY_AUDIT_BATCH_MAX_ENTRIES',
      parse: integer(1, 100_000),
      default: GROUP_COMMIT_DEFAULTS.maxBatchEntries,
      description:
        'Most audit entries committed in one transaction (group commit): concurrent decisions share a multi-row INSERT, each answered only once its own entry is committed.',
    }),
    maxDelayMs: declareSetting({
      name: 'POLICY_GATEWAY_AUDIT_BATCH_MAX_DELAY_MS',
      parse: integer(0, 1000),
      default: GROUP_COMMIT_DEFAULTS.maxDelayMs,
      description:
        'How long the first decision after a quiet spell waits for others to share its commit. `0` writes at once; under load batches form anyway, from the decisions that arrive while the previous batch commits.',
    }),
    queueMaxEntries: declareSetting({
      name: 'POLICY_GATEWAY_AUDIT_QUEUE_MAX_ENTRIES',
      parse: integer(1, 10_000_000),
      default: GROUP_COMMIT_DEFAULTS.maxQueuedEntries,
      description:
        'Most audit entries waiting for their commit; beyond it a decision is answered 503 `AUDIT_QUEUE_FULL` with `Retry-After` (nothing recorded) instead of waiting without bound for a store that is not keeping up.',
    }),
  },
};

/** Tamper evidence of the audit trail (issue 11): the key that signs checkpoints, and how often. */
const AUDIT_CHAIN_SETTINGS = {
  signingKeyFile: declareSetting<string | undefined>({
    name: 'POLICY_GATEWAY_AUDIT_SIGNING_KEY_FILE',
    parse: directory,
    default: undefined,
    documentedDefault:
      '(unset: generated on first start as `audit-signing-key.pem` in `POLICY_GATEWAY_DATA_DIR`, mode 0600, whatever the store)',
    description:
      'PEM file of the Ed25519 private key (PKCS #8) that signs the audit checkpoints, e.g. mounted from a Kubernetes Secret; make one with `openssl genpkey -algorithm ed25519`. To rotate, give another file: older checkpoints stay verifiable, since every public key that signed is kept in `audit_signing_keys` (`policy-gateway audit public-key` exports them).',
  }),
  checkpointEveryEntries: declareSetting({
    name: 'POLICY_GATEWAY_AUDIT_CHECKPOINT_EVERY_ENTRIES',
    parse: integer(1, 100_000_000),
    default: 1000,
    description:
      "A signed checkpoint of this process's audit chain after this many new entries (and one when the gateway stops gracefully).",
  }),
  checkpointIntervalMs: declareSetting({
    name: 'POLICY_GATEWAY_AUDIT_CHECKPOINT_INTERVAL_MS',
    parse: integer(0, 86_400_000),
    default: 60_000,
    description:
      'A signed checkpoint at least this often while entries are not yet covered by one; `0` for none by time. Entries after the last checkpoint of a gateway that is killed are sealed by the next one to start.',
  }),
  verifyIntervalSeconds: declareSetting({
    name: 'POLICY_GATEWAY_AUDIT_VERIFY_INTERVAL_SECONDS',
    parse: integer(0, 604_800),
    default: 300,
    description:
      'How often the gateway verifies its own audit trail (one process of a cluster does); `0` for never (only `POST /governance/audit/integrity/verify`). A run after an intact one verifies what was written since, from the checkpoint before it; a failed verification is logged at error level, counted in `policy_gateway_audit_verifications_total` and shown by `GET /governance/audit/integrity` until a full run finds the trail intact.',
  }),
  verifyFullIntervalSeconds: declareSetting({
    name: 'POLICY_GATEWAY_AUDIT_VERIFY_FULL_INTERVAL_SECONDS',
    parse: integer(1, 31_536_000),
    default: 86_400,
    description:
      'How often a scheduled verification walks the whole trail rather than what was written since the last one, which is what catches a change to older entries; the first scheduled run after start is a full one.',
  }),
};

/** Retention of the audit trail and the access log (issue 12): whole partitions. */
const RETENTION_SETTINGS = {
  partitionInterval: declareSetting({
    name: 'POLICY_GATEWAY_AUDIT_PARTITION_INTERVAL',
    parse: oneOf(PARTITION_INTERVALS),
    default: 'month',
    description:
      'The time span of each partition of the audit entries and the access log made from now on (`month`, `week` or `day`, UTC; ISO weeks start on Monday), by `migrate` and by `serve` ahead of time. Retention removes whole partitions, so entries stay up to one interval past the retention: choose `week` or `day` for a short retention or a very large trail, at the price of more partitions for a query to plan over. Changing it keeps the partitions already made; the new ones begin where they end.',
  }),
  days: declareSetting<number | undefined>({
    name: 'POLICY_GATEWAY_AUDIT_RETENTION_DAYS',
    parse: integer(1, 36_500),
    default: undefined,
    documentedDefault: '(unset: nothing is ever removed)',
    description:
      "Keep audit entries and access-log records this many days: a partition is dropped once all of it is older (so entries stay up to one `POLICY_GATEWAY_AUDIT_PARTITION_INTERVAL` longer), never row by row, after a signed retention record per hash chain it cuts. Applied hourly by `serve` and by `policy-gateway retention apply`; dropping needs the tables' owner role.",
  }),
  accessLogDays: declareSetting<number | undefined>({
    name: 'POLICY_GATEWAY_ACCESS_LOG_RETENTION_DAYS',
    parse: integer(1, 36_500),
    default: undefined,
    documentedDefault: '(unset: as `POLICY_GATEWAY_AUDIT_RETENTION_DAYS`)',
    description:
      'Keep the access log (who read the audit trail) this many days instead, e.g. longer than the entries for an auditor looking back. Its expired partitions are dropped the same way, each in one transaction with a signed record of what went (partition, time range, row count, when, by whom) in `access_log_retention_records`.',
  }),
};

/** Privacy in the audit trail (issue 13): masking, sealed originals, and where their keys live. */
const PRIVACY_SETTINGS = {
  masking: declareSetting({
    name: 'POLICY_GATEWAY_AUDIT_MASKING',
    parse: oneOf(['on', 'off'] as const),
    default: 'on',
    description:
      "Before an entry is stored: spans the policy reports in its result's `redact` member are replaced in the prompt by a marker of their kind (`[pii.email]`), the bundle's mask policy (`data.system.log.mask`, as in OPA) erases or overwrites what it names, and `redact` itself is never stored. `off` stores input and result as evaluated.",
  }),
  sealOriginals: declareSetting({
    name: 'POLICY_GATEWAY_AUDIT_SEAL_ORIGINALS',
    parse: oneOf(['on', 'off'] as const),
    default: 'on',
    description:
      "Whether the unmasked input of a masked entry is also stored, encrypted (AES-256-GCM) under its subject's data key, for `privacy-officer`s to read with a reason, until the subject is erased.",
  }),
  kekFile: declareSetting<string | undefined>({
    name: 'POLICY_GATEWAY_SUBJECT_KEK_FILE',
    parse: directory,
    default: undefined,
    documentedDefault:
      '(unset: generated on first start as `subject-kek.key` in `POLICY_GATEWAY_DATA_DIR`, mode 0600)',
    description:
      'File of the key-encryption key that wraps every subject data key: 32 bytes as 64 hex digits or base64 (`openssl rand -hex 32`), e.g. mounted from a Kubernetes Secret. Losing it makes every sealed original unreadable.',
  }),
  userIds: declareSetting({
    name: 'POLICY_GATEWAY_AUDIT_USER_IDS',
    parse: oneOf(['plain', 'hmac'] as const),
    default: 'plain',
    description:
      '`hmac`: entries store `hmac-sha256:` and an HMAC of the user id under the audit HMAC key instead of the user id (column, input and sealed original), for where the user id is personal data itself; a `user_id` filter, idempotency and erasure hash what they are given the same way. Only exact matches then, and the Workbench shows the pseudonym. Applies to entries written from then on.',
  }),
  hmacKeyFile: declareSetting<string | undefined>({
    name: 'POLICY_GATEWAY_AUDIT_HMAC_KEY_FILE',
    parse: directory,
    default: undefined,
    documentedDefault:
      '(unset: generated on first start as `audit-hmac.key` in `POLICY_GATEWAY_DATA_DIR`, mode 0600)',
    description:
      'File of the secret (32 bytes or more, hex or base64: `openssl rand -hex 32`) that keys the request digest stored with an idempotency key while masking is on (`hmac-sha256:`), so that what was masked cannot be recovered by hashing guesses. Gateways sharing a database must share it, or a retry reaching another replica is refused as a reused key.',
  }),
  subjectKeys: declareSetting<SubjectKeysLocation | undefined>({
    name: 'POLICY_GATEWAY_SUBJECT_KEYS',
    parse: subjectKeysLocation,
    default: undefined,
    documentedDefault: '(unset: `file:` `subject-keys` in `POLICY_GATEWAY_DATA_DIR`)',
    description:
      'Where the subject data keys (wrapped by the KEK) are kept; erasing a subject destroys its key there. `file:<dir>`: one file per subject, for one gateway or a shared volume. `postgresql://…`: a table `subject_keys` in a database of its own, for replicas that share no disk; refused when it is the audit database. Keep either out of the audit database and its backups, so that a restored backup cannot bring an erased key back.',
  }),
};

export const SETTING_DECLARATIONS = {
  store: STORE_SETTINGS,
  auditChain: AUDIT_CHAIN_SETTINGS,
  retention: RETENTION_SETTINGS,
  privacy: PRIVACY_SETTINGS,
  host: declareSetting({
    name: 'POLICY_GATEWAY_HOST',
    parse: text,
    default: '127.0.0.1',
    description:
      'Address to listen on. This machine only by default; containers set `0.0.0.0` (all interfaces), which needs `POLICY_GATEWAY_AUTH` set.',
  }),
  auth: declareSetting<AuthSetting | undefined>({
    name: 'POLICY_GATEWAY_AUTH',
    parse: oneOf(AUTH_SETTINGS),
    default: undefined,
    documentedDefault: '(unset: no authentication on a loopback host, refused on any other)',
    description:
      "`on`: every route but `/health`, `/ready`, `/openapi.json` and `/auth/config` needs an API key or OIDC token with the route's role. `off`: nobody is asked who they are (flagged unsafe off loopback). Unset: the workstation case, served without authentication on a loopback `POLICY_GATEWAY_HOST` and refused at start-up on any other address.",
  }),
  allowedHosts: declareSetting({
    name: 'POLICY_GATEWAY_ALLOWED_HOSTS',
    parse: hostNames,
    default: ['localhost'],
    documentedDefault: '`localhost` (and any IP address)',
    description:
      'Comma-separated host names the `Host` header may carry, any port (`.example.com` also allows its subdomains; `*` allows any). A request naming another is refused (`421 HOST_NOT_ALLOWED`), so that a web page cannot reach the gateway through a domain that resolves to it (DNS rebinding). An IP address is always allowed: a rebinding page can only send its own domain. Behind a service name (compose, Kubernetes), list the names clients use.',
  }),
  port: declareSetting({
    name: 'POLICY_GATEWAY_PORT',
    parse: integer(0, 65_535),
    default: 8080,
    description: 'TCP port (0 picks a free one).',
  }),
  workers: declareSetting<number | undefined>({
    name: 'POLICY_GATEWAY_WORKERS',
    parse: integer(1, 1024),
    default: undefined,
    documentedDefault:
      'the number of cores (`os.availableParallelism()`) with the `postgres` and `memory` stores; 1 with `embedded`',
    description:
      '`serve` processes that share the port (node `cluster`), each with its own connections, hash chain and `/ready`; `1` runs one process as before. The embedded database serves from one process only: more than 1 with it is refused.',
  }),
  workerSemiSpaceMb: declareSetting({
    name: 'POLICY_GATEWAY_WORKER_SEMI_SPACE_MB',
    parse: integer(0, 1024),
    default: 64,
    description:
      "Young-generation semi-space of each `serve` worker process's JavaScript heap (V8's `--max-semi-space-size`, in MiB) when several workers serve (`POLICY_GATEWAY_WORKERS`). A decision allocates tens of kilobytes that live for milliseconds, and with V8's default of 16 MiB the collector copied the requests in flight every few dozen decisions: 64 MiB took 6-13% off the gateway's CPU per decision (`bench`, side by side) for 40-120 MB more resident memory per worker. `0` keeps V8's default; a `--max-semi-space-size` in `NODE_OPTIONS` wins. A gateway served by one process takes it from `NODE_OPTIONS` only.",
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
  apiKeyCache: {
    ttlSeconds: declareSetting({
      name: 'POLICY_GATEWAY_API_KEY_CACHE_SECONDS',
      parse: integer(0, 3600),
      default: 30,
      description:
        'How long a verified API key record is answered from memory at most; `0` looks every key up in the database. A revocation is seen at once anyway (by notification, `LISTEN policy_gateway_api_keys`, on a PostgreSQL server; while that connection is down nothing is answered from memory): this bounds only a notification lost without anyone noticing.',
    }),
    maxEntries: declareSetting({
      name: 'POLICY_GATEWAY_API_KEY_CACHE_MAX_ENTRIES',
      parse: integer(1, 1_000_000),
      default: 10_000,
      description:
        'API key records kept in memory at most, the least recently used dropped first. Only keys that exist are kept, so unknown ids cannot fill it.',
    }),
  },
  oidc: {
    issuer: declareSetting<string | undefined>({
      name: 'POLICY_GATEWAY_OIDC_ISSUER',
      parse: httpUrl,
      default: undefined,
      documentedDefault: '(unset: no OIDC tokens)',
      description:
        "Issuer URL of the identity provider whose tokens are accepted as `Authorization: Bearer <JWT>`, exactly as its tokens' `iss` says. Needs `POLICY_GATEWAY_OIDC_AUDIENCE`.",
    }),
    audience: declareSetting<string | undefined>({
      name: 'POLICY_GATEWAY_OIDC_AUDIENCE',
      parse: text,
      default: undefined,
      description:
        "The audience (`aud`) a token must be issued for: the gateway's identifier at the identity provider, so that tokens meant for other services are refused.",
    }),
    jwksUrl: declareSetting<string | undefined>({
      name: 'POLICY_GATEWAY_OIDC_JWKS_URL',
      parse: httpUrl,
      default: undefined,
      documentedDefault:
        "(unset: the `jwks_uri` of the issuer's `/.well-known/openid-configuration`)",
      description:
        'Where the provider publishes its signing keys. They are cached and fetched again when a token names a key not seen before (at most every 30 s) or after `POLICY_GATEWAY_OIDC_JWKS_CACHE_SECONDS`.',
    }),
    jwksCacheSeconds: declareSetting({
      name: 'POLICY_GATEWAY_OIDC_JWKS_CACHE_SECONDS',
      parse: integer(0, 86_400),
      default: 600,
      description:
        'How long fetched signing keys are trusted before they are fetched again: a key the provider retires (e.g. after a leak) is refused at most this long after.',
    }),
    rolesClaim: declareSetting({
      name: 'POLICY_GATEWAY_OIDC_ROLES_CLAIM',
      parse: claimPath,
      default: 'roles',
      description:
        "The token claim holding the caller's roles, an array or a space-separated string; a dotted path reads a nested claim (`realm_access.roles`). A token granting no role is answered 403.",
    }),
    roleMap: declareSetting<Readonly<Record<string, readonly Role[]>> | undefined>({
      name: 'POLICY_GATEWAY_OIDC_ROLE_MAP',
      parse: roleMap(ROLES),
      default: undefined,
      documentedDefault: '(unset: values named `evaluator`, `auditor`, `admin` grant those roles)',
      description:
        'Which claim values grant which role: comma-separated `value=role` pairs (`gw-admins=admin,gw-readers=auditor`). When set, only the listed values grant roles.',
    }),
    clockSkewSeconds: declareSetting({
      name: 'POLICY_GATEWAY_OIDC_CLOCK_SKEW_SECONDS',
      parse: integer(0, 300),
      default: 30,
      description:
        "How far a token's `exp`, `nbf` and `iat` may be off this machine's clock, in seconds.",
    }),
    workbenchClientId: declareSetting<string | undefined>({
      name: 'POLICY_GATEWAY_OIDC_WORKBENCH_CLIENT_ID',
      parse: text,
      default: undefined,
      documentedDefault: '(unset: the Workbench offers API keys only)',
      description:
        'The public client (authorization code with PKCE, no secret) the Workbench signs people in as; served by `GET /auth/config`.',
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
      default: join(PACKAGE_DIRECTORY, 'policies'),
      documentedDefault: 'the shipped `policies/` bundle',
      description: 'Rego bundle directory loaded by the embedded engine.',
    }),
    path: declareSetting({
      name: 'POLICY_GATEWAY_POLICY_PATH',
      parse: dataPath,
      default: 'data.policy_gateway.decision',
      description: 'Data path of the decision document.',
    }),
    bundleUrl: declareSetting<string | undefined>({
      name: 'POLICY_GATEWAY_BUNDLE_URL',
      parse: httpUrl,
      default: undefined,
      documentedDefault: '(unset: no polling)',
      description:
        'URL of a bundle (`.tar.gz`, as `opa build` writes it) polled with `If-None-Match`; a new one is activated only once it compiles (and verifies, with a key), else the active one stays and `/ready` and the log say why. Embedded engine only.',
    }),
    bundlePollIntervalMs: declareSetting({
      name: 'POLICY_GATEWAY_BUNDLE_POLL_INTERVAL_MS',
      parse: integer(1000, 86_400_000),
      default: 60_000,
      description: 'How often the bundle URL is polled.',
    }),
    bundleToken: declareSetting<string | undefined>({
      name: 'POLICY_GATEWAY_BUNDLE_TOKEN',
      parse: text,
      default: undefined,
      documentedDefault: '(unset: none sent)',
      description: 'Bearer token sent to the bundle server.',
    }),
    bundleVerificationKeyFile: declareSetting<string | undefined>({
      name: 'POLICY_GATEWAY_BUNDLE_VERIFICATION_KEY_FILE',
      parse: directory,
      default: undefined,
      documentedDefault: '(unset: signatures not checked)',
      description:
        "PEM public key (RSA, EC or Ed25519) that polled bundles must be signed with (`.signatures.json`, OPA's format, as `opa sign` writes it); a bundle that does not verify is refused.",
    }),
    shadowBundleDir: declareSetting<string | undefined>({
      name: 'POLICY_GATEWAY_SHADOW_BUNDLE_DIR',
      parse: directory,
      default: undefined,
      documentedDefault: '(unset: no shadow)',
      description:
        "A candidate bundle (a directory or `.tar.gz`, as `POLICY_GATEWAY_POLICY_BUNDLE_DIR`) that every decision is also evaluated under, at the same time and on the embedded engine, at the same policy path: its decision, reasons and version are recorded in the entry's `shadow` and never answered or enforced; a failing shadow evaluation is recorded as a shadow `error` and never fails the request. `GET /governance/audit?shadow=differs` lists the entries where it decided otherwise. Costs a second evaluation per decision (`npm run bench:shadow`).",
    }),
    enforcement: declareSetting<EnforcementMode>({
      name: 'POLICY_GATEWAY_ENFORCEMENT',
      parse: oneOf(ENFORCEMENT_MODES),
      default: 'enforce',
      description:
        '`monitor` for a first rollout: every decision is evaluated and recorded as the policy made it, with `enforced: false`, but every answer allows (`/policy/evaluate` answers `allow` with `enforced: false`; the Data API answers the granting form of the document). `/ready` and the log at start warn while it is on.',
    }),
    httpAllowedHosts: declareSetting<readonly string[] | undefined>({
      name: 'POLICY_GATEWAY_POLICY_HTTP_ALLOWED_HOSTS',
      parse: hostNames,
      default: undefined,
      documentedDefault: '(unset: no host)',
      description:
        "Comma-separated hosts the embedded engine's `http.send` and `net.lookup_ip_addr` may reach (`api.example.com`, `.example.com` for its subdomains, an IP address, or `*` for any host); any other host fails the call with an error naming this setting. Off by default: a policy that can reach any host can be made to reach internal ones (server-side request forgery). A call blocks its evaluation, so keep `http.send`'s `timeout` below `POLICY_GATEWAY_EVAL_TIMEOUT_MS`.",
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
        'Worker threads that run the embedded engine, so that evaluations never hold up other requests; raise it up to one less than the CPUs the gateway may use. `0` evaluates on the main thread: no request is served while an evaluation runs, and nothing stops one builtin call that overruns `POLICY_GATEWAY_EVAL_TIMEOUT_MS` (the budget only ends a runaway rule between steps); the gateway warns at start. For tests and trusted clients only.',
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
        'Evaluations that may wait beyond the four each evaluation thread is handed at once (with OPA: queries in flight at once); beyond it `503 TOO_MANY_EVALUATIONS` with `Retry-After`.',
    }),
    perClientLimit: declareSetting({
      name: 'POLICY_GATEWAY_EVAL_PER_CLIENT_LIMIT',
      parse: integer(1, 100_000),
      default: 8,
      description:
        'Evaluations one client address may have running or waiting; beyond it `503 TOO_MANY_EVALUATIONS` with `Retry-After`.',
    }),
  },
  decisionLogs: {
    path: declareSetting({
      name: 'POLICY_GATEWAY_DECISION_LOG_PATH',
      parse: routePath,
      default: '/logs',
      description:
        "Where OPA servers upload their decision logs (the `resource` of OPA's `decision_logs` plugin; `/logs` is OPA's default). Callers need the `evaluator` role.",
    }),
    maxBytes: declareSetting({
      name: 'POLICY_GATEWAY_DECISION_LOG_MAX_BYTES',
      parse: integer(1024, 1_073_741_824),
      default: 8_388_608,
      description:
        "The most bytes one decision-log upload may hold, compressed and inflated alike; beyond it `413 BODY_TOO_LARGE` (keep OPA's `upload_size_limit_bytes` below it).",
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
