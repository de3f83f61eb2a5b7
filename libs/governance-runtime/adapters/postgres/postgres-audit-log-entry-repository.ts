/**
 * The durable audit log over Kysely: one implementation for a PostgreSQL server (the
 * `pg` driver) and for the embedded PGlite database. Timestamps and JSON are read back
 * as text and parsed here, so both drivers, whatever their type parsers, return the
 * same values, with microseconds intact.
 */
import { type Kysely, sql } from 'kysely';
import { encodeAuditLogCursor } from '../../src/audit-log-cursor.js';
import type { AuditLogEntry } from '../../src/audit-log-entry.js';
import type { AuditLogEntryRepository } from '../../src/audit-log-entry-repository.js';
import type { AuditLogPage, AuditLogQuery } from '../../src/audit-log-query.js';
import { DuplicateAuditLogEntryError } from '../../src/duplicate-audit-log-entry-error.js';
import { isAuditLogEntryId } from '../../src/new-audit-log-entry-id.js';
import { resolveAuditLogQuery } from '../../src/resolved-audit-log-query.js';
import { toStorableAuditLogEntry } from '../../src/storable-audit-log-entry.js';
import type { AuditLogDatabase } from './audit-log-database.js';

export interface PostgresAuditLogEntryRepositoryOptions {
  /** False for a PGlite database in memory (`memory://`). Default true. */
  readonly durable?: boolean;
  /** Whether `close()` destroys `db`; leave false when a connection manager owns it. */
  readonly destroyOnClose?: boolean;
}

export class PostgresAuditLogEntryRepository implements AuditLogEntryRepository {
  readonly durable: boolean;
  readonly #db: Kysely<AuditLogDatabase>;
  readonly #destroyOnClose: boolean;

  constructor(db: Kysely<AuditLogDatabase>, options: PostgresAuditLogEntryRepositoryOptions = {}) {
    this.#db = db;
    this.durable = options.durable ?? true;
    this.#destroyOnClose = options.destroyOnClose ?? false;
  }

  async append(entry: AuditLogEntry): Promise<void> {
    const e = toStorableAuditLogEntry(entry);
    try {
      await this.#db
        .insertInto('audit_log_entries')
        .values({
          id: e.id,
          decision_id: e.decisionId,
          occurred_at: sql<string>`${e.occurredAt}::text::timestamptz`,
          user_id: e.userId,
          action: e.action,
          decision: e.decision,
          reasons: jsonb(e.reasons),
          policy_path: e.policyPath,
          policy_version: e.policyVersion,
          policy_engine: e.policyEngine,
          input: jsonb(e.input),
          result: e.result === null ? null : jsonb(e.result),
          error: e.error,
          latency_ms: e.latencyMs,
          request_id: e.requestId,
          client_address: e.clientAddress,
          user_agent: e.userAgent,
          gateway_instance: e.gatewayInstance,
        })
        .execute();
    } catch (error) {
      if (isUniqueViolationOfPrimaryKey(error)) {
        throw new DuplicateAuditLogEntryError(e.id, { cause: error });
      }
      throw error;
    }
  }

  async findById(id: string): Promise<AuditLogEntry | undefined> {
    const canonicalId = id.toLowerCase();
    // Not a UUID: no entry can have it, and PostgreSQL would reject the comparison.
    if (!isAuditLogEntryId(canonicalId)) return undefined;
    const row = await selectEntries(this.#db).where('id', '=', canonicalId).executeTakeFirst();
    return row === undefined ? undefined : toEntry(row);
  }

  async query(query: AuditLogQuery): Promise<AuditLogPage> {
    const q = resolveAuditLogQuery(query);
    let select = selectEntries(this.#db);
    if (q.userId !== undefined) select = select.where('user_id', '=', q.userId);
    if (q.decision !== undefined) select = select.where('decision', '=', q.decision);
    if (q.policyPath !== undefined) select = select.where('policy_path', '=', q.policyPath);
    if (q.decisionId !== undefined) select = select.where('decision_id', '=', q.decisionId);
    if (q.since !== undefined) {
      select = select.where(sql<boolean>`occurred_at >= ${q.since}::text::timestamptz`);
    }
    if (q.until !== undefined) {
      select = select.where(sql<boolean>`occurred_at < ${q.until}::text::timestamptz`);
    }
    if (q.after !== undefined) {
      // A row comparison that the (…, occurred_at desc, id desc) indexes serve directly.
      select = select.where(
        sql<boolean>`(occurred_at, id) < (${q.after.occurredAt}::text::timestamptz, ${q.after.id}::text::uuid)`,
      );
    }
    const rows = await select
      .orderBy('audit_log_entries.occurred_at', 'desc')
      .orderBy('audit_log_entries.id', 'desc')
      .limit(q.limit + 1)
      .execute();
    const entries = rows.slice(0, q.limit).map(toEntry);
    const last = entries[entries.length - 1];
    const nextCursor =
      rows.length > q.limit && last !== undefined ? encodeAuditLogCursor(last) : null;
    return { entries, nextCursor };
  }

  async close(): Promise<void> {
    if (this.#destroyOnClose) await this.#db.destroy();
  }
}

function selectEntries(db: Kysely<AuditLogDatabase>) {
  return db.selectFrom('audit_log_entries').select([
    'id',
    'decision_id',
    // Aliased apart from the column so that ORDER BY uses the timestamptz column.
    sql<string>`to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as(
      'occurred_at_utc',
    ),
    'user_id',
    'action',
    'decision',
    sql<string>`reasons::text`.as('reasons_json'),
    'policy_path',
    'policy_version',
    'policy_engine',
    sql<string>`input::text`.as('input_json'),
    sql<string | null>`result::text`.as('result_json'),
    'error',
    'latency_ms',
    'request_id',
    'client_address',
    'user_agent',
    'gateway_instance',
  ]);
}

type EntryRow = Awaited<ReturnType<ReturnType<typeof selectEntries>['executeTakeFirstOrThrow']>>;

function toEntry(row: EntryRow): AuditLogEntry {
  return {
    id: row.id,
    decisionId: row.decision_id,
    occurredAt: row.occurred_at_utc,
    userId: row.user_id,
    action: row.action,
    decision: row.decision,
    reasons: JSON.parse(row.reasons_json) as AuditLogEntry['reasons'],
    policyPath: row.policy_path,
    policyVersion: row.policy_version,
    policyEngine: row.policy_engine,
    input: JSON.parse(row.input_json) as unknown,
    result: row.result_json === null ? null : (JSON.parse(row.result_json) as unknown),
    error: row.error,
    // pg may be configured to return float8 as text; PGlite returns a number.
    latencyMs: Number(row.latency_ms),
    requestId: row.request_id,
    clientAddress: row.client_address,
    userAgent: row.user_agent,
    gatewayInstance: row.gateway_instance,
  };
}

/** JSON text cast to jsonb; the text cast keeps both drivers from re-encoding the string. */
function jsonb(value: unknown) {
  return sql<string>`${JSON.stringify(value) ?? 'null'}::text::jsonb`;
}

function isUniqueViolationOfPrimaryKey(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    'code' in error &&
    error.code === '23505' &&
    (!('constraint' in error) ||
      error.constraint === undefined ||
      error.constraint === 'audit_log_entries_pkey')
  );
}
