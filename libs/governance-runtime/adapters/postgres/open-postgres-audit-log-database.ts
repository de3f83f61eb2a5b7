/**
 * Opens a Kysely over a PostgreSQL server through a `pg` pool, for the repository and
 * the migrator.
 */
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { AuditLogDatabase } from './audit-log-database.js';

export interface PostgresAuditLogDatabaseOptions {
  /** `postgres://` or `postgresql://` URL. */
  readonly connectionString: string;
  /** Pool size. Default 10. */
  readonly maxConnections?: number;
  /** How long to wait for a connection from the server, in ms. Default 5000. */
  readonly connectionTimeoutMs?: number;
  /** Called with errors of idle pooled connections (a server restart); they are replaced. */
  readonly onIdleError?: (error: Error) => void;
}

export function openPostgresAuditLogDatabase(
  options: PostgresAuditLogDatabaseOptions,
): Kysely<AuditLogDatabase> {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 5000,
  });
  // Without a listener an idle connection dropped by the server crashes the process.
  pool.on('error', options.onIdleError ?? (() => undefined));
  return new Kysely<AuditLogDatabase>({ dialect: new PostgresDialect({ pool }) });
}
