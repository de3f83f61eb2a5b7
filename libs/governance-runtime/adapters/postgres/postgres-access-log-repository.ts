/**
 * The durable access log over Kysely, in the audit database (a PostgreSQL server through `pg`,
 * or PGlite). As in the audit adapter, timestamps, JSON and arrays are read back as text and
 * parsed here, so both drivers return the same values, with microseconds intact.
 */
import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { AccessLogPage, AccessLogQuery } from '../../src/access-log-query.js';
import type { AccessLogRecord } from '../../src/access-log-record.js';
import type { AccessLogRepository } from '../../src/access-log-repository.js';
import { encodeAuditLogCursor } from '../../src/audit-log-cursor.js';
import { DuplicateAccessLogRecordError } from '../../src/duplicate-access-log-record-error.js';
import { resolveAccessLogQuery } from '../../src/resolved-access-log-query.js';
import { toStorableAccessLogRecord } from '../../src/storable-access-log-record.js';
import type { AuditLogDatabase } from './audit-log-database.js';

export interface PostgresAccessLogRepositoryOptions {
  /** False for a PGlite database in memory (`memory://`). Default true. */
  readonly durable?: boolean;
  /** Whether `close()` destroys `db`; leave false when a connection manager owns it. */
  readonly destroyOnClose?: boolean;
}

export class PostgresAccessLogRepository implements AccessLogRepository {
  readonly durable: boolean;
  readonly #db: Kysely<AuditLogDatabase>;
  readonly #destroyOnClose: boolean;

  constructor(db: Kysely<AuditLogDatabase>, options: PostgresAccessLogRepositoryOptions = {}) {
    this.#db = db;
    this.durable = options.durable ?? true;
    this.#destroyOnClose = options.destroyOnClose ?? false;
  }

  /** One INSERT; resolves once committed (autocommit). */
  async append(record: AccessLogRecord): Promise<void> {
    const r = toStorableAccessLogRecord(record);
    try {
      await this.#db
        .insertInto('access_log_records')
        .values({
          id: r.id,
          occurred_at: sql<string>`${r.occurredAt}::text::timestamptz`,
          principal_id: r.principalId,
          method: r.method,
          route: r.route,
          parameters: sql<string>`${JSON.stringify(r.parameters)}::text::jsonb`,
          status: r.status,
          entry_count: r.entryCount,
          // Checked UUIDs, so the array literal needs no quoting.
          entry_ids: sql<string>`${`{${r.entryIds.join(',')}}`}::text::uuid[]`,
          request_id: r.requestId,
          client_request_id: r.clientRequestId,
          client_address: r.clientAddress,
          user_agent: r.userAgent,
          gateway_instance: r.gatewayInstance,
        })
        .execute();
    } catch (error) {
      if (isUniqueViolation(error)) throw new DuplicateAccessLogRecordError(r.id, { cause: error });
      throw error;
    }
  }

  /**
   * One keyset query on the index that matches the filter, reading one record past the page
   * to know whether a next page exists.
   */
  async query(query: AccessLogQuery): Promise<AccessLogPage> {
    const q = resolveAccessLogQuery(query);
    const filters: RawBuilder<boolean>[] = [sql`true`];
    if (q.principalId !== undefined) filters.push(sql`principal_id = ${q.principalId}`);
    if (q.route !== undefined) filters.push(sql`route = ${q.route}`);
    if (q.entryId !== undefined) filters.push(sql`entry_ids @> array[${q.entryId}::text::uuid]`);
    if (q.since !== undefined) filters.push(sql`occurred_at >= ${q.since}::text::timestamptz`);
    if (q.until !== undefined) filters.push(sql`occurred_at < ${q.until}::text::timestamptz`);
    if (q.after !== undefined) {
      filters.push(
        sql`(occurred_at, id) < (${q.after.occurredAt}::text::timestamptz, ${q.after.id}::text::uuid)`,
      );
    }
    const { rows } = await sql<SelectedRow>`
      select id,
             to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as occurred_at,
             principal_id, method, route, parameters::text as parameters, status, entry_count,
             array_to_json(entry_ids)::text as entry_ids, request_id, client_request_id,
             client_address, user_agent, gateway_instance
        from access_log_records
       where ${sql.join(filters, sql` and `)}
       -- Qualified: bare, occurred_at would name the to_char text selected above, which no
       -- index serves (same order, but sorted row by row).
       order by access_log_records.occurred_at desc, access_log_records.id desc
       limit ${q.limit + 1}
    `.execute(this.#db);
    const records = rows.slice(0, q.limit).map(toRecord);
    const last = records[records.length - 1];
    return {
      records,
      nextCursor: rows.length > q.limit && last !== undefined ? encodeAuditLogCursor(last) : null,
    };
  }

  async close(): Promise<void> {
    if (this.#destroyOnClose) await this.#db.destroy();
  }
}

interface SelectedRow {
  readonly id: string;
  readonly occurred_at: string;
  readonly principal_id: string;
  readonly method: string;
  readonly route: string;
  readonly parameters: string;
  readonly status: number | string;
  readonly entry_count: number | string;
  readonly entry_ids: string;
  readonly request_id: string | null;
  readonly client_request_id: string | null;
  readonly client_address: string | null;
  readonly user_agent: string | null;
  readonly gateway_instance: string;
}

function toRecord(row: SelectedRow): AccessLogRecord {
  return {
    id: row.id,
    occurredAt: row.occurred_at,
    principalId: row.principal_id,
    method: row.method,
    route: row.route,
    parameters: JSON.parse(row.parameters) as Record<string, unknown>,
    status: Number(row.status),
    entryCount: Number(row.entry_count),
    entryIds: JSON.parse(row.entry_ids) as string[],
    requestId: row.request_id,
    clientRequestId: row.client_request_id,
    clientAddress: row.client_address,
    userAgent: row.user_agent,
    gatewayInstance: row.gateway_instance,
  };
}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === '23505';
}
