/**
 * The durable audit log over Kysely: one implementation for a PostgreSQL server (the
 * `pg` driver) and for the embedded PGlite database. Timestamps and JSON are read back
 * as text and parsed here, so both drivers, whatever their type parsers, return the
 * same values, with microseconds intact.
 */
import { type Insertable, type Kysely, type RawBuilder, sql } from 'kysely';
import type { AppendManyResult } from '../../src/append-many-result.js';
import { encodeAuditLogCursor } from '../../src/audit-log-cursor.js';
import type { AuditLogEntry } from '../../src/audit-log-entry.js';
import type { AuditLogEntryRepository } from '../../src/audit-log-entry-repository.js';
import type { AuditLogPage, AuditLogQuery } from '../../src/audit-log-query.js';
import { DuplicateAuditLogEntryError } from '../../src/duplicate-audit-log-entry-error.js';
import { isAuditLogEntryId } from '../../src/new-audit-log-entry-id.js';
import { PreparedAuditLogBatch } from '../../src/prepared-audit-log-batch.js';
import { resolveAuditLogQuery } from '../../src/resolved-audit-log-query.js';
import { toStorableAuditLogEntry } from '../../src/storable-audit-log-entry.js';
import type { AuditLogDatabase, AuditLogEntriesTable } from './audit-log-database.js';

export interface PostgresAuditLogEntryRepositoryOptions {
  /** False for a PGlite database in memory (`memory://`). Default true. */
  readonly durable?: boolean;
  /** Whether `close()` destroys `db`; leave false when a connection manager owns it. */
  readonly destroyOnClose?: boolean;
}

/**
 * Rows per INSERT in `appendMany`: at 19 parameters a row, far below PostgreSQL's limit
 * of 65,535 per statement. A larger batch is several INSERTs in one transaction.
 */
const ROWS_PER_INSERT = 1000;

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
      await this.#db.insertInto('audit_log_entries').values(toRow(e)).execute();
    } catch (error) {
      if (isUniqueViolationOfPrimaryKey(error)) {
        throw new DuplicateAuditLogEntryError(e.id, { cause: error });
      }
      throw error;
    }
  }

  /**
   * One `INSERT … ON CONFLICT (id) DO NOTHING RETURNING id` (several in one transaction
   * past `ROWS_PER_INSERT`): an id missing from what it returns was stored already.
   */
  async appendMany(entries: readonly AuditLogEntry[]): Promise<AppendManyResult> {
    const batch = new PreparedAuditLogBatch(entries);
    if (batch.storable.length === 0) return batch.committed(new Set());
    // In id order: batches that share ids then lock them in the same order, so that two
    // made at the same time wait for each other instead of deadlocking.
    const rows = [...batch.storable].sort(byId).map(toRow);
    try {
      const inserted =
        rows.length <= ROWS_PER_INSERT
          ? await insertNew(this.#db, rows)
          : await this.#db.transaction().execute(async (trx) => {
              const ids = new Set<string>();
              for (let start = 0; start < rows.length; start += ROWS_PER_INSERT) {
                const chunk = rows.slice(start, start + ROWS_PER_INSERT);
                for (const id of await insertNew(trx, chunk)) ids.add(id);
              }
              return ids;
            });
      return batch.committed(inserted);
    } catch (error) {
      return batch.failed(error);
    }
  }

  async findById(id: string): Promise<AuditLogEntry | undefined> {
    const canonicalId = id.toLowerCase();
    // Not a UUID: no entry can have it, and PostgreSQL would reject the comparison.
    if (!isAuditLogEntryId(canonicalId)) return undefined;
    const row = await selectEntries(this.#db).where('id', '=', canonicalId).executeTakeFirst();
    return row === undefined ? undefined : toEntry(row);
  }

  /**
   * One statement in three steps: the page's candidates (at most `limit + 1` keys, each with
   * its size, read in index order), their running total of bytes, and then the full rows of
   * only those that fit the budget. Entries past the budget are weighed in the database but
   * never sent, so a page of large entries costs the gateway at most its budget plus one entry.
   */
  async query(query: AuditLogQuery): Promise<AuditLogPage> {
    const q = resolveAuditLogQuery(query);
    let candidates = this.#db.selectFrom('audit_log_entries');
    if (q.userId !== undefined) candidates = candidates.where('user_id', '=', q.userId);
    if (q.decision !== undefined) candidates = candidates.where('decision', '=', q.decision);
    if (q.policyPath !== undefined) {
      candidates = candidates.where('policy_path', '=', q.policyPath);
    }
    if (q.decisionId !== undefined) {
      candidates = candidates.where('decision_id', '=', q.decisionId);
    }
    if (q.since !== undefined) {
      candidates = candidates.where(sql<boolean>`occurred_at >= ${q.since}::text::timestamptz`);
    }
    if (q.until !== undefined) {
      candidates = candidates.where(sql<boolean>`occurred_at < ${q.until}::text::timestamptz`);
    }
    if (q.after !== undefined) {
      // A row comparison that the (…, occurred_at desc, id desc) indexes serve directly.
      candidates = candidates.where(
        sql<boolean>`(occurred_at, id) < (${q.after.occurredAt}::text::timestamptz, ${q.after.id}::text::uuid)`,
      );
    }
    const sized = candidates
      .select(['id', 'occurred_at', ENTRY_SIZE.as('size')])
      .orderBy('occurred_at', 'desc')
      .orderBy('id', 'desc')
      .limit(q.limit + 1);
    const order = sql`(order by occurred_at desc, id desc)`;
    // Renamed, so that the entry's own columns stay unambiguous in the select list below.
    const ranked = this.#db
      .selectFrom(sized.as('sized'))
      .select([
        'id as entry_id',
        'occurred_at as entry_occurred_at',
        sql<number>`row_number() over ${order}`.as('position'),
        sql<number>`sum(size) over ${order}`.as('running_bytes'),
        sql<number>`(count(*) over ())::int`.as('candidates'),
      ]);
    let select = this.#db
      .selectFrom('audit_log_entries')
      .innerJoin(ranked.as('ranked'), 'ranked.entry_id', 'audit_log_entries.id')
      .select([...SELECTION, 'ranked.candidates'])
      .where('ranked.position', '<=', q.limit);
    const { maxBytes } = q;
    if (maxBytes !== undefined) {
      select = select.where((where) =>
        where.or([where('ranked.position', '=', 1), where('ranked.running_bytes', '<=', maxBytes)]),
      );
    }
    const rows = await select
      .orderBy('ranked.entry_occurred_at', 'desc')
      .orderBy('ranked.entry_id', 'desc')
      .execute();
    const entries = rows.map(toEntry);
    const last = entries[entries.length - 1];
    const more = rows.length > 0 && rows.length < Number(rows[0]!.candidates);
    return { entries, nextCursor: more && last !== undefined ? encodeAuditLogCursor(last) : null };
  }

  async close(): Promise<void> {
    if (this.#destroyOnClose) await this.#db.destroy();
  }
}

type EntryColumn = Exclude<keyof AuditLogEntriesTable, 'inserted_at'>;
type EntryField = keyof AuditLogEntry;

/** How one entry field is stored in its column and read back. */
interface ColumnMapping<T> {
  readonly column: EntryColumn;
  /** The value, or SQL expression, inserted for the field. */
  write(value: T): unknown;
  /** The expression selected to read the field back. */
  readonly read: RawBuilder<unknown>;
  /** The field's value from what `read` selected. */
  parse(selected: unknown): T;
  /** Its bytes as `auditLogEntrySize` counts them: the UTF-8 length of its text form. */
  readonly size: RawBuilder<number>;
}

/** Text and uuid columns: written and read as they are. */
function plain<T>(column: EntryColumn): ColumnMapping<T> {
  return {
    column,
    write: (value) => value,
    read: sql.ref(column),
    parse: (s) => s as T,
    size: textSize(column),
  };
}

/** The UTF-8 bytes of a column's text form; a SQL NULL counts nothing. */
function textSize(column: EntryColumn): RawBuilder<number> {
  return sql<number>`coalesce(octet_length(${sql.ref(column)}::text), 0)`;
}

/** jsonb, written as JSON text and read back as text: neither driver re-encodes it. */
function json<T>(column: EntryColumn): ColumnMapping<T> {
  return {
    column,
    write: jsonb,
    read: sql`${sql.ref(column)}::text`,
    parse: (selected) => (selected === null ? null : JSON.parse(selected as string)) as T,
    size: textSize(column),
  };
}

/**
 * The one column list: every field of an entry, its column, how it is written and how it
 * is read back. The insert, the select list and the row mapping are all built from it,
 * so a new field is one line here (and a migration adding its column).
 */
const ENTRY_COLUMNS: { readonly [F in EntryField]: ColumnMapping<AuditLogEntry[F]> } = {
  id: plain('id'),
  decisionId: plain('decision_id'),
  occurredAt: {
    column: 'occurred_at',
    write: (value) => sql`${value}::text::timestamptz`,
    // Canonical text with all six fraction digits, whatever the driver does with timestamptz.
    read: sql`to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`,
    parse: (selected) => selected as string,
    // Canonical timestamps are all this long.
    size: sql<number>`27`,
  },
  userId: plain('user_id'),
  action: plain('action'),
  decision: plain('decision'),
  reasons: json('reasons'),
  policyPath: plain('policy_path'),
  policyVersion: plain('policy_version'),
  policyEngine: plain('policy_engine'),
  input: json('input'),
  // A null result is SQL NULL rather than JSON null: the column says "no result".
  result: { ...json('result'), write: (value) => (value === null ? null : jsonb(value)) },
  error: plain('error'),
  // pg may be configured to return float8 as text; PGlite returns a number.
  latencyMs: { ...plain('latency_ms'), parse: Number, size: sql<number>`0` },
  requestId: plain('request_id'),
  clientRequestId: plain('client_request_id'),
  clientAddress: plain('client_address'),
  userAgent: plain('user_agent'),
  gatewayInstance: plain('gateway_instance'),
};

const ENTRY_FIELDS = Object.keys(ENTRY_COLUMNS) as readonly EntryField[];

/** An entry's size in bytes, as `auditLogEntrySize` counts it. */
const ENTRY_SIZE = sql<number>`${sql.join(
  ENTRY_FIELDS.map((field) => ENTRY_COLUMNS[field].size),
  sql` + `,
)}`;

/** Each field selected under its own name, e.g. `decision_id as "decisionId"`. */
const SELECTION = ENTRY_FIELDS.map((field) => ENTRY_COLUMNS[field].read.as(field));

function writeField<F extends EntryField>(entry: AuditLogEntry, field: F): unknown {
  return ENTRY_COLUMNS[field].write(entry[field]);
}

function toRow(entry: AuditLogEntry): Insertable<AuditLogEntriesTable> {
  const row: Partial<Record<EntryColumn, unknown>> = {};
  for (const field of ENTRY_FIELDS) row[ENTRY_COLUMNS[field].column] = writeField(entry, field);
  return row as Insertable<AuditLogEntriesTable>;
}

function toEntry(row: Readonly<Record<EntryField, unknown>>): AuditLogEntry {
  const entry: Partial<Record<EntryField, unknown>> = {};
  for (const field of ENTRY_FIELDS) entry[field] = ENTRY_COLUMNS[field].parse(row[field]);
  return entry as AuditLogEntry;
}

function selectEntries(db: Kysely<AuditLogDatabase>) {
  return db.selectFrom('audit_log_entries').select(SELECTION);
}

function byId(a: AuditLogEntry, b: AuditLogEntry): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Inserts the rows whose id is not stored yet; returns the ids it inserted. */
async function insertNew(
  db: Kysely<AuditLogDatabase>,
  rows: readonly Insertable<AuditLogEntriesTable>[],
): Promise<Set<string>> {
  const inserted = await db
    .insertInto('audit_log_entries')
    .values(rows)
    .onConflict((conflict) => conflict.column('id').doNothing())
    .returning('id')
    .execute();
  return new Set(inserted.map((row) => row.id));
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
