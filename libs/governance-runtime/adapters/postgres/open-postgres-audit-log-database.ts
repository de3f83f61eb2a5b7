/**
 * Opens a Kysely over a PostgreSQL server through a `pg` pool, for the repository and
 * the migrator. The one place a pool is configured, so that the pool the tests use is the
 * pool the service runs with: bounded waits, TCP keep-alive, and listeners that keep a
 * dropped connection from crashing the process.
 */
import { Kysely, type PostgresCursorConstructor, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { AuditLogDatabase } from './audit-log-database.js';
import { CopyOutCursor } from './copy-out-cursor.js';
import { PreparedStatementClient } from './prepared-statement-client.js';

export interface PostgresAuditLogDatabaseOptions {
  /** `postgres://` or `postgresql://` URL. */
  readonly connectionString: string;
  /** Pool size. Default 10. */
  readonly maxConnections?: number;
  /** How long to wait for a connection from the server, in ms. Default 5000. */
  readonly connectionTimeoutMs?: number;
  /**
   * Bound on each statement, in ms: the server stops working on it (`statement_timeout`),
   * and the client stops waiting `POSTGRES_CLIENT_TIMEOUT_MARGIN_MS` later (`query_timeout`).
   * Unbounded when omitted, as migrations need.
   */
  readonly statementTimeoutMs?: number;
  /** Shown in `pg_stat_activity`, to tell this pool's sessions apart on the server. */
  readonly applicationName?: string;
  /** Called with errors of idle pooled connections (a server restart); they are replaced. */
  readonly onIdleError?: (error: Error) => void;
  /**
   * Called with errors of a connection while it is lent to a query (the server went away
   * mid-query). The query fails on its own and the pool discards the connection on release.
   */
  readonly onConnectionError?: (error: Error) => void;
}

/**
 * How much longer the client waits for a statement than the server works on it. The server
 * gives up first and says so (SQLSTATE 57014), which leaves nothing in doubt; were the client
 * to give up first, a statement could commit after its caller was told it failed. An append
 * that fails without the server's word is in doubt until this long after it began
 * (`CommitOutcomeResolver`'s `settleMs`: statement timeout + margin).
 */
export const POSTGRES_CLIENT_TIMEOUT_MARGIN_MS = 1000;

export function openPostgresAuditLogDatabase(
  options: PostgresAuditLogDatabaseOptions,
): Kysely<AuditLogDatabase> {
  const statementTimeout = options.statementTimeoutMs;
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 5000,
    ...(statementTimeout === undefined
      ? {}
      : {
          statement_timeout: statementTimeout,
          query_timeout: statementTimeout + POSTGRES_CLIENT_TIMEOUT_MARGIN_MS,
        }),
    // Plans the statements marked PREPARED (the audit list query) once per connection.
    Client: PreparedStatementClient,
    // Notices a server that vanished without closing the connection (a failover, a cut cable).
    keepAlive: true,
    ...(options.applicationName === undefined ? {} : { application_name: options.applicationName }),
  });
  // Without a listener an idle connection dropped by the server crashes the process.
  pool.on('error', options.onIdleError ?? (() => undefined));
  // A lent connection emits on the client, which the pool does not listen to while it is
  // lent; without a listener that too would crash the process.
  const onConnectionError = options.onConnectionError ?? (() => undefined);
  pool.on('connect', (client) => {
    client.on('error', onConnectionError);
  });
  // Streams COPY … TO STDOUT, which the verifier reads chains with (`PostgresChainStream`);
  // the rows it streams are chunks of COPY data, whatever row type a caller names.
  const cursor = CopyOutCursor as unknown as PostgresCursorConstructor;
  return new Kysely<AuditLogDatabase>({ dialect: new PostgresDialect({ pool, cursor }) });
}
