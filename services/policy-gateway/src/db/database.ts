/**
 * The connection manager: opens the audit database — a PostgreSQL server through a `pg` pool,
 * or the embedded PGlite database in a locked data directory — waiting for it at start-up,
 * and offers a health ping, the schema state and close. Both are opened by the library's
 * openers, so the service runs on the pool its tests use. A server that goes away and comes
 * back is survived: the pool drops broken connections and opens new ones on demand.
 */
import {
  type AuditLogDatabase,
  openPostgresAuditLogDatabase,
  openThreadedPgliteAuditLogDatabase,
  POSTGRES_CLIENT_TIMEOUT_MARGIN_MS,
} from '@policy-gateway/governance-runtime/postgres';
import { type Kysely, sql } from 'kysely';
import type { Logger } from 'pino';
import type { StoreSettings } from '../config/settings.js';
import { UnusableSettingError } from '../config/unusable-setting-error.js';
import { acquireDataDirLock } from './data-dir-lock.js';
import { type MigrationStatus, migrationStatus } from './migration-runner.js';
import { isPermanentConnectionError, waitForDatabase } from './wait-for-database.js';

export type DatabaseSettings = Exclude<StoreSettings, { backend: 'memory' }>;

export interface Database {
  readonly backend: DatabaseSettings['backend'];
  readonly db: Kysely<AuditLogDatabase>;
  /** Where it is, for logs: the URL without its password, or the data directory. */
  readonly location: string;
  /**
   * How long after a write was sent the database may still commit it, in ms: the client's
   * query timeout (the server's statement timeout ends the statement before). 0 for the
   * embedded database, which works in this process and stops when its caller does.
   */
  readonly commitSettleMs: number;
  /** Resolves when the database answers a query. */
  ping(): Promise<void>;
  migrationStatus(): Promise<MigrationStatus>;
  close(): Promise<void>;
}

export interface OpenOptions {
  readonly log: Pick<Logger, 'info' | 'warn' | 'error'>;
  /**
   * For `migrate`: no statement timeout, since building an index on a large table can take
   * longer than any request should.
   */
  readonly forMigrations?: boolean;
}

function describe(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return describe(error.errors[0]);
  return error instanceof Error ? error.message || error.name : String(error);
}

async function openPostgres(
  settings: Extract<DatabaseSettings, { backend: 'postgres' }>,
  options: OpenOptions,
): Promise<Database> {
  const { connect } = settings;
  const db = openPostgresAuditLogDatabase({
    connectionString: settings.databaseUrl,
    maxConnections: settings.poolSize,
    connectionTimeoutMs: connect.operationTimeoutMs,
    ...(options.forMigrations ? {} : { statementTimeoutMs: connect.operationTimeoutMs }),
    applicationName: options.forMigrations ? 'policy-gateway migrate' : 'policy-gateway',
    // A server restart or failover drops idle connections; the pool connects afresh when next
    // needed, so this is a warning, not a crash.
    onIdleError: (error) =>
      options.log.warn(
        `an idle database connection failed (${describe(error)}); it will be replaced when needed`,
      ),
    onConnectionError: (error) =>
      options.log.warn(`a database connection failed (${describe(error)}); it will be discarded`),
  });
  const ping = async () => {
    await sql`select 1`.execute(db);
  };
  try {
    await waitForDatabase(ping, {
      maxWaitMs: connect.maxWaitMs,
      initialBackoffMs: connect.initialBackoffMs,
      onRetry: (error, attempt, delayMs) =>
        options.log.warn(
          { attempt, retryInMs: delayMs },
          `database ${settings.redactedDatabaseUrl} not reachable yet (${describe(error)}); retrying`,
        ),
    });
  } catch (error) {
    await db.destroy();
    throw new UnusableSettingError(
      ['POLICY_GATEWAY_DATABASE_URL', 'POLICY_GATEWAY_DB_CONNECT_MAX_WAIT_MS'],
      `cannot connect to POLICY_GATEWAY_DATABASE_URL ${settings.redactedDatabaseUrl}: ${describe(error)}` +
        (isPermanentConnectionError(error)
          ? ''
          : ` (gave up after POLICY_GATEWAY_DB_CONNECT_MAX_WAIT_MS=${connect.maxWaitMs})`),
      { cause: error },
    );
  }
  return {
    backend: 'postgres',
    db,
    location: settings.redactedDatabaseUrl,
    commitSettleMs: connect.operationTimeoutMs + POSTGRES_CLIENT_TIMEOUT_MARGIN_MS,
    ping,
    migrationStatus: () => migrationStatus(db),
    close: () => db.destroy(),
  };
}

async function openEmbedded(
  settings: Extract<DatabaseSettings, { backend: 'embedded' }>,
  options: OpenOptions,
): Promise<Database> {
  const lock = acquireDataDirLock(settings.dataDir);
  let opened: Awaited<ReturnType<typeof openThreadedPgliteAuditLogDatabase>>;
  try {
    options.log.info(
      { dataDir: settings.dataDir },
      'opening the embedded database (a new data directory takes several seconds to initialise)',
    );
    // On a thread of its own: a statement on this thread would stop every request meanwhile.
    opened = await openThreadedPgliteAuditLogDatabase(`${settings.dataDir}/pglite`);
  } catch (error) {
    lock.release();
    throw new UnusableSettingError(
      ['POLICY_GATEWAY_DATA_DIR'],
      `cannot open the embedded database in POLICY_GATEWAY_DATA_DIR ${settings.dataDir}: ${describe(error)}`,
      { cause: error },
    );
  }
  const { db } = opened;
  const ping = async () => {
    await sql`select 1`.execute(db);
  };
  return {
    backend: 'embedded',
    db,
    location: settings.dataDir,
    commitSettleMs: 0,
    ping,
    migrationStatus: () => migrationStatus(db),
    close: async () => {
      try {
        await opened.close();
      } finally {
        lock.release();
      }
    },
  };
}

/**
 * Opens the database, waiting for a server that is not up yet (see
 * POLICY_GATEWAY_DB_CONNECT_MAX_WAIT_MS). Rejects with a message naming the setting at fault.
 */
export function openDatabase(settings: DatabaseSettings, options: OpenOptions): Promise<Database> {
  return settings.backend === 'postgres'
    ? openPostgres(settings, options)
    : openEmbedded(settings, options);
}
