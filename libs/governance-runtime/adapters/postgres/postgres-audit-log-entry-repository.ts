/**
 * The durable audit log over Kysely: one implementation for a PostgreSQL server (the
 * `pg` driver) and for the embedded PGlite database. Timestamps and JSON are read back
 * as text and parsed here, so both drivers, whatever their type parsers, return the
 * same values, with microseconds intact.
 */
import { type Insertable, type Kysely, type RawBuilder, sql } from 'kysely';
import type { AppendManyOptions } from '../../src/append-many-options.js';
import type { AppendManyResult } from '../../src/append-many-result.js';
import { encodeAuditLogCursor } from '../../src/audit-log-cursor.js';
import type { AuditLogEntry } from '../../src/audit-log-entry.js';
import type { AuditLogEntryRepository } from '../../src/audit-log-entry-repository.js';
import type { AuditLogPage, AuditLogQuery } from '../../src/audit-log-query.js';
import { CommitOutcomeUnknownError } from '../../src/commit-outcome-unknown-error.js';
import { DuplicateAuditLogEntryError } from '../../src/duplicate-audit-log-entry-error.js';
import { DuplicateIdempotencyKeyError } from '../../src/duplicate-idempotency-key-error.js';
import { heldIdempotencyKey, idempotencyScope } from '../../src/held-idempotency-key.js';
import { isAuditLogEntryId } from '../../src/new-audit-log-entry-id.js';
import { duplicateKeyError, PreparedAuditLogBatch } from '../../src/prepared-audit-log-batch.js';
import { resolveAuditLogQuery } from '../../src/resolved-audit-log-query.js';
import { toStorableAuditLogEntry } from '../../src/storable-audit-log-entry.js';
import type { AuditLogDatabase, AuditLogEntriesTable } from './audit-log-database.js';
import {
  type JsonRecord,
  type JsonRecordsetInsert,
  jsonRecordsetInsert,
} from './json-recordset-insert.js';
import { IDEMPOTENCY_KEY_INDEX } from './migrations/003-add-idempotency-key.js';
import {
  LOCAL_ID_INDEX_SUFFIX,
  LOCAL_IDEMPOTENCY_INDEX_SUFFIX,
} from './partitioned-audit-tables.js';
import { PREPARED } from './prepared-statement-client.js';

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
  /** The batch INSERT, once the table's column types are read (first batch). */
  #inserter: Promise<JsonRecordsetInsert> | undefined;

  constructor(db: Kysely<AuditLogDatabase>, options: PostgresAuditLogEntryRepositoryOptions = {}) {
    this.#db = db;
    this.durable = options.durable ?? true;
    this.#destroyOnClose = options.destroyOnClose ?? false;
  }

  /**
   * One INSERT. A unique violation is a duplicate, of the id or of the user's idempotency
   * key (the index of migration 003); a failure after the INSERT was sent that the server did
   * not answer is a `CommitOutcomeUnknownError`.
   */
  async append(entry: AuditLogEntry): Promise<void> {
    const e = toStorableAuditLogEntry(entry);
    const sent = { value: false };
    try {
      const inserted = await this.#db.connection().execute(async (connection) => {
        sent.value = true;
        return connection
          .insertInto('audit_log_entries')
          .values(toRow(e))
          .returning('id')
          .execute();
      });
      // Migration 010's trigger skips an entry whose user's key a stored entry holds.
      if (inserted.length === 0) throw duplicateKeyError(e);
    } catch (error) {
      if (error instanceof DuplicateIdempotencyKeyError) throw error;
      if (uniqueViolationOf(error) === IDEMPOTENCY_KEY_INDEX) {
        throw duplicateKeyError(e);
      }
      if (uniqueViolationOf(error) === PRIMARY_KEY) {
        throw new DuplicateAuditLogEntryError(e.id, { cause: error });
      }
      throw sent.value && leavesCommitInDoubt(error)
        ? new CommitOutcomeUnknownError(e.id, { cause: error })
        : error;
    }
  }

  /**
   * One `INSERT … ON CONFLICT DO NOTHING RETURNING id` (several in one transaction past
   * `ROWS_PER_INSERT`): an id missing from what it returns was stored already, or its user's
   * idempotency key was; which of the two, a read of those ids tells.
   */
  async appendMany(
    entries: readonly AuditLogEntry[],
    options: AppendManyOptions = {},
  ): Promise<AppendManyResult> {
    const batch = new PreparedAuditLogBatch(entries);
    if (options.atomic === true) return this.#appendWhole(batch);
    if (batch.storable.length === 0) return batch.committed(new Set());
    // In id order: batches that share ids then lock them in the same order, so that two
    // made at the same time wait for each other instead of deadlocking.
    const sent = { value: false };
    let inserted: Set<string>;
    try {
      const inserter = await this.#batchInsert();
      const records = [...batch.storable].sort(byId).map((e) => toRecord(e, inserter));
      // Any unique index: the id's, or the user's idempotency key's (migration 003).
      const options = { onConflictDoNothing: true, returning: true };
      inserted = await this.#db.connection().execute(async (connection) => {
        sent.value = true;
        if (records.length <= ROWS_PER_INSERT) {
          return new Set(await inserter.insert(connection, records, options));
        }
        return connection.transaction().execute(async (trx) => {
          const ids = new Set<string>();
          for (let start = 0; start < records.length; start += ROWS_PER_INSERT) {
            const chunk = records.slice(start, start + ROWS_PER_INSERT);
            for (const id of await inserter.insert(trx, chunk, options)) ids.add(id);
          }
          return ids;
        });
      });
    } catch (error) {
      const first = batch.storable[0]!;
      return batch.failed(
        sent.value && leavesCommitInDoubt(error)
          ? new CommitOutcomeUnknownError(first.id, { cause: error })
          : error,
      );
    }
    return batch.committed(inserted, await this.#keyTaken(batch.storable, inserted));
  }

  /**
   * An all-or-nothing batch: plain INSERTs (no `ON CONFLICT`), one statement when the batch
   * fits in one, so that any unique violation aborts the statement and nothing is committed,
   * in a single round trip when all goes well. After a violation of the id's or the key's
   * index, a read of the batch's ids and keys tells which entries were duplicates; a violation
   * of another index (a chain seq taken) is a failure of the batch like any storage error.
   */
  async #appendWhole(batch: PreparedAuditLogBatch): Promise<AppendManyResult> {
    if (!batch.storableWhole) return batch.refused();
    if (batch.storable.length === 0) return batch.committed(new Set());
    const sent = { value: false };
    try {
      const inserter = await this.#batchInsert();
      const records = batch.storable.map((e) => toRecord(e, inserter));
      // Migration 010's trigger skips an entry whose key is held rather than failing the
      // statement, so a batch with keys counts what it inserted, in a transaction to undo.
      const keyed = batch.storable.some((e) => heldIdempotencyKey(e) !== undefined);
      await this.#db.connection().execute(async (connection) => {
        sent.value = true;
        if (records.length <= ROWS_PER_INSERT && !keyed) {
          await inserter.insert(connection, records);
          return;
        }
        await connection.transaction().execute(async (trx) => {
          for (let start = 0; start < records.length; start += ROWS_PER_INSERT) {
            const chunk = records.slice(start, start + ROWS_PER_INSERT);
            const inserted = await inserter.insert(trx, chunk, { returning: true });
            if (inserted.length < chunk.length) throw new HeldKeySkipped();
          }
        });
      });
    } catch (error) {
      const index = uniqueViolationOf(error);
      if (
        index === PRIMARY_KEY ||
        index === IDEMPOTENCY_KEY_INDEX ||
        error instanceof HeldKeySkipped
      ) {
        const conflicts = await this.#conflicts(batch.storable).catch(() => undefined);
        if (conflicts !== undefined && conflicts.stored.size + conflicts.keyTaken.size > 0) {
          return batch.refused(conflicts.stored, conflicts.keyTaken);
        }
      }
      const first = batch.storable[0]!;
      return batch.failed(
        sent.value && leavesCommitInDoubt(error)
          ? new CommitOutcomeUnknownError(first.id, { cause: error })
          : error,
      );
    }
    return batch.committed(new Set(batch.storable.map((entry) => entry.id)));
  }

  /** The recordset INSERT of batches; a failed catalog read is tried again by the next batch. */
  #batchInsert(): Promise<JsonRecordsetInsert> {
    this.#inserter ??= jsonRecordsetInsert(this.#db).catch((error: unknown) => {
      this.#inserter = undefined;
      throw error;
    });
    return this.#inserter;
  }

  /**
   * Which of `entries` cannot be stored: those whose id is stored, and, of the others, those
   * whose user's idempotency key is held by a stored entry.
   */
  async #conflicts(
    entries: readonly AuditLogEntry[],
  ): Promise<{ stored: Set<string>; keyTaken: Set<string> }> {
    const storedRows = await this.#db
      .selectFrom('audit_log_entries')
      .select('id')
      .where(
        'id',
        'in',
        entries.map((e) => e.id),
      )
      .execute();
    const stored = new Set(storedRows.map((row) => row.id));
    const keyed = entries.filter((e) => !stored.has(e.id) && heldIdempotencyKey(e) !== undefined);
    const keyTaken = new Set<string>();
    if (keyed.length > 0) {
      const held = await this.#db
        .selectFrom('audit_log_entries')
        .select(['user_id', 'idempotency_key'])
        .where('decision', '<>', 'error')
        .where((eb) =>
          eb.or(
            keyed.map((e) =>
              eb.and([eb('user_id', '=', e.userId), eb('idempotency_key', '=', e.idempotencyKey)]),
            ),
          ),
        )
        .execute();
      const heldKeys = new Set(
        held.map((row) => idempotencyScope(row.user_id, row.idempotency_key ?? '')),
      );
      for (const e of keyed) if (heldKeys.has(heldIdempotencyKey(e)!)) keyTaken.add(e.id);
    }
    return { stored, keyTaken };
  }

  /**
   * Of the entries a committed batch did not insert, those left out for their idempotency
   * key rather than their id: the ones whose id is not stored. Entries are never deleted, so
   * an id that conflicted is still there to be read. If the read fails, they are reported as
   * duplicates of their id; either way nothing of theirs was stored.
   */
  async #keyTaken(
    storable: readonly AuditLogEntry[],
    inserted: ReadonlySet<string>,
  ): Promise<Set<string>> {
    const left = storable.filter((e) => !inserted.has(e.id) && e.idempotencyKey !== null);
    if (left.length === 0) return new Set();
    try {
      const stored = await this.#db
        .selectFrom('audit_log_entries')
        .select('id')
        .where(
          'id',
          'in',
          left.map((e) => e.id),
        )
        .execute();
      const storedIds = new Set(stored.map((row) => row.id));
      return new Set(left.filter((e) => !storedIds.has(e.id)).map((e) => e.id));
    } catch {
      return new Set();
    }
  }

  async findById(id: string): Promise<AuditLogEntry | undefined> {
    const canonicalId = id.toLowerCase();
    // Not a UUID: no entry can have it, and PostgreSQL would reject the comparison.
    if (!isAuditLogEntryId(canonicalId)) return undefined;
    // An id made with its entry (UUIDv7) carries the time it was made: look in the partition
    // of that time first, and in every partition only if the entry is not there.
    const made = uuidV7Time(canonicalId);
    const near =
      made === undefined
        ? undefined
        : await selectEntries(this.#db)
            .where('id', '=', canonicalId)
            .where(
              sql<boolean>`occurred_at >= ${new Date(made - ID_TIME_SLACK_MS).toISOString()}::text::timestamptz`,
            )
            .where(
              sql<boolean>`occurred_at < ${new Date(made + ID_TIME_SLACK_MS).toISOString()}::text::timestamptz`,
            )
            .executeTakeFirst();
    const row =
      near ?? (await selectEntries(this.#db).where('id', '=', canonicalId).executeTakeFirst());
    return row === undefined ? undefined : toEntry(row);
  }

  /** Served by the unique index of migration 003, whose predicate this query repeats. */
  async findByIdempotencyKey(
    userId: string,
    idempotencyKey: string,
  ): Promise<AuditLogEntry | undefined> {
    const row = await selectEntries(this.#db)
      .where('user_id', '=', userId)
      .where('idempotency_key', '=', idempotencyKey)
      .where('decision', '<>', 'error')
      .executeTakeFirst();
    return row === undefined ? undefined : toEntry(row);
  }

  /**
   * One statement that walks the index entry by entry (a recursive query, each step the next
   * entry after the previous one) and weighs each entry it reaches, stopping at the first that
   * is past `limit` or would take the page past its byte budget. That entry is weighed but not
   * sent: it only says whether a next page exists. So the database reads no more entries than
   * the page holds, plus one, and the gateway receives at most its budget plus one entry,
   * whatever `limit` asks and however large the stored entries are.
   */
  async query(query: AuditLogQuery): Promise<AuditLogPage> {
    const q = resolveAuditLogQuery(query);
    const filters: RawBuilder<boolean>[] = [];
    if (q.userId !== undefined) filters.push(sql`user_id = ${q.userId}`);
    if (q.decision !== undefined) filters.push(sql`decision = ${q.decision}`);
    if (q.policyPath !== undefined) filters.push(sql`policy_path = ${q.policyPath}`);
    if (q.decisionId !== undefined) filters.push(sql`decision_id = ${q.decisionId}`);
    if (q.action !== undefined) filters.push(sql`action = ${q.action}`);
    if (q.gatewayInstance !== undefined) {
      filters.push(sql`gateway_instance = ${q.gatewayInstance}`);
    }
    if (q.shadow !== undefined) {
      // As `matchesShadowFilter`: a stored shadow, and for `differs` another decision than the entry's.
      filters.push(
        q.shadow === 'recorded'
          ? sql`shadow is not null`
          : sql`shadow is not null and shadow->>'decision' <> decision`,
      );
    }
    if (q.since !== undefined) filters.push(sql`occurred_at >= ${q.since}::text::timestamptz`);
    if (q.until !== undefined) filters.push(sql`occurred_at < ${q.until}::text::timestamptz`);
    const where = sql.join([sql`true`, ...filters], sql` and `);
    // A row comparison that the (…, occurred_at desc, id desc) indexes serve directly.
    const start =
      q.after === undefined
        ? sql`true`
        : sql`(occurred_at, id) < (${q.after.occurredAt}::text::timestamptz, ${q.after.id}::text::uuid)
               and occurred_at <= ${q.after.occurredAt}::text::timestamptz`;
    const included = (position: RawBuilder<number>, running: RawBuilder<number>) =>
      q.maxBytes === undefined
        ? sql`${position} <= ${q.limit}`
        : sql`${position} <= ${q.limit} and (${position} = 1 or ${running} <= ${q.maxBytes})`;
    // Each step carries its entry's columns, so that the page is read from the walk itself,
    // with no second lookup of its entries by id (which PostgreSQL planned as a hash join over
    // the id index of every partition).
    // Prepared: planning this statement costs far more than running it (`PREPARED`).
    const { rows } = await sql<SelectedRow & Record<'position' | 'candidates', unknown>>`${PREPARED}
      with recursive page as (
        (select ${sql.join(SELECTION)}, occurred_at as walk_at, id as walk_id,
                (${ENTRY_SIZE})::bigint as running_bytes, 1 as position
           from audit_log_entries
          where ${where} and ${start}
          order by occurred_at desc, id desc
          limit 1)
        union all
        (select ${sql.join(SELECTED_NAMES.map((name) => sql.ref(`next.${name}`)))},
                next.walk_at, next.walk_id, page.running_bytes + next.size, page.position + 1
           from page
          cross join lateral (
                select ${sql.join(SELECTION)}, occurred_at as walk_at, id as walk_id,
                       (${ENTRY_SIZE})::bigint as size
                  from audit_log_entries
                 where ${where}
                   and (occurred_at, id) < (page.walk_at, page.walk_id)
                   -- Redundant with the row comparison, but one PostgreSQL prunes
                   -- partitions by (migration 010): each step reads only its months.
                   and occurred_at <= page.walk_at
                 order by occurred_at desc, id desc
                 limit 1) next
          where ${included(sql.ref('page.position'), sql.ref('page.running_bytes'))})
      )
      select ${sql.join(SELECTED_NAMES.map((name) => sql.ref(name)))}, position,
             (select count(*) from page)::int as candidates
        from page
       where ${included(sql.ref('position'), sql.ref('running_bytes'))}
    `.execute(this.#db);
    // In page order; sorted here so that the statement needs no sort step of its own.
    const ordered = [...rows].sort((a, b) => Number(a.position) - Number(b.position));
    const entries = ordered.map(toEntry);
    const last = entries[entries.length - 1];
    const more = rows.length > 0 && rows.length < Number(rows[0]!.candidates);
    return { entries, nextCursor: more && last !== undefined ? encodeAuditLogCursor(last) : null };
  }

  async close(): Promise<void> {
    if (this.#destroyOnClose) await this.#db.destroy();
  }
}

type EntryColumn = Exclude<keyof AuditLogEntriesTable, 'inserted_at' | ChainColumn>;
/** The fields stored one column each; the chain link is four (`CHAIN_COLUMNS`). */
type EntryField = Exclude<keyof AuditLogEntry, 'chain'>;
type ChainColumn = 'chain_id' | 'chain_seq' | 'prev_hash' | 'entry_hash';

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
 * jsonb for a field entries may lack (migration 012): SQL NULL when absent, and absent again
 * when read, so that an entry stored without it hashes as it did before the column existed.
 */
function optionalJson<T>(column: EntryColumn): ColumnMapping<T | undefined> {
  return {
    ...json<T | undefined>(column),
    write: (value) => (value === undefined ? null : jsonb(value)),
    parse: (selected) =>
      selected === null || selected === undefined
        ? undefined
        : (JSON.parse(selected as string) as T),
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
  principalId: plain('principal_id'),
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
  idempotencyKey: plain('idempotency_key'),
  requestDigest: plain('request_digest'),
  masking: optionalJson('masking'),
  sealedOriginal: optionalJson('sealed_original'),
  shadow: optionalJson('shadow'),
  // Read as JSON text (`false`), so that the verifier's digest stream sees a JSON column.
  enforced: {
    ...optionalJson<false>('enforced'),
    write: (value) => (value === undefined ? null : value),
    read: sql`to_json(enforced)::text`,
    // A boolean weighs nothing in `auditLogEntrySize`.
    size: sql<number>`0`,
  },
};

const ENTRY_FIELDS = Object.keys(ENTRY_COLUMNS) as readonly EntryField[];

/** An entry's size in bytes, as `auditLogEntrySize` counts it. */
const ENTRY_SIZE = sql<number>`${sql.join(
  ENTRY_FIELDS.map((field) => ENTRY_COLUMNS[field].size),
  sql` + `,
)}`;

/** The chain link's columns (migration 007), selected under these names. */
const CHAIN_SELECTION = [
  sql.ref('chain_id').as('chainId'),
  // bigint as text: `pg` reads it as text, PGlite as a number; both become a number here.
  sql`chain_seq::text`.as('chainSeq'),
  sql.ref('prev_hash').as('prevHash'),
  sql.ref('entry_hash').as('entryHash'),
];

/**
 * Each field selected under its own name, e.g. `decision_id as "decisionId"`, then the chain
 * link's columns.
 */
export const SELECTION = [
  ...ENTRY_FIELDS.map((field) => ENTRY_COLUMNS[field].read.as(field)),
  ...CHAIN_SELECTION,
];

/** The names of `SELECTION`'s columns, in its order. */
const SELECTED_NAMES = [...ENTRY_FIELDS, 'chainId', 'chainSeq', 'prevHash', 'entryHash'] as const;

/**
 * `SELECTION` as one column: a JSON array of the same expressions, in `SELECTED_NAMES` order,
 * read back by `toEntryFromJsonArray`. For a reader that streams many rows (the verifier): the
 * driver decodes one text value per row instead of one per field.
 */
export const SELECTION_AS_JSON_ARRAY = sql<string>`json_build_array(${sql.join([
  ...ENTRY_FIELDS.map((field) => ENTRY_COLUMNS[field].read),
  sql.ref('chain_id'),
  sql`chain_seq::text`,
  sql.ref('prev_hash'),
  sql.ref('entry_hash'),
])})::text`;

/** The entry a `SELECTION_AS_JSON_ARRAY` value holds, as `toEntry` reads the columns. */
export function toEntryFromJsonArray(text: string): AuditLogEntry {
  const values = JSON.parse(text) as unknown[];
  const row: Record<string, unknown> = {};
  for (let i = 0; i < SELECTED_NAMES.length; i += 1) row[SELECTED_NAMES[i]!] = values[i];
  return toEntry(row as SelectedRow);
}

export type SelectedRow = Readonly<
  Record<EntryField | 'chainId' | 'chainSeq' | 'prevHash' | 'entryHash', unknown>
>;

function writeField<F extends EntryField>(entry: AuditLogEntry, field: F): unknown {
  return ENTRY_COLUMNS[field].write(entry[field]);
}

export function toRow(entry: AuditLogEntry): Insertable<AuditLogEntriesTable> {
  const row: Partial<Record<EntryColumn | ChainColumn, unknown>> = {};
  for (const field of ENTRY_FIELDS) row[ENTRY_COLUMNS[field].column] = writeField(entry, field);
  const { chain } = entry;
  row.chain_id = chain?.chainId ?? null;
  row.chain_seq = chain?.seq ?? null;
  row.prev_hash = chain?.prevHash ?? null;
  row.entry_hash = chain?.entryHash ?? null;
  return row as Insertable<AuditLogEntriesTable>;
}

/**
 * The entry as a row of a batch INSERT (`json-recordset-insert.ts`): what `toRow` binds, with
 * a jsonb column as its JSON text and SQL NULL where its mapping writes NULL, and any other
 * column as the value its type reads (the SQL casts of `toRow` are the table's types there).
 */
function toRecord(entry: AuditLogEntry, inserter: JsonRecordsetInsert): JsonRecord {
  const record: Record<string, string | number | boolean | null> = {};
  for (const field of ENTRY_FIELDS) {
    const mapping = ENTRY_COLUMNS[field] as ColumnMapping<unknown>;
    const value: unknown = entry[field];
    if (inserter.isJsonb(mapping.column)) {
      record[mapping.column] =
        value === null || value === undefined
          ? mapping.write(value) === null
            ? null
            : 'null'
          : JSON.stringify(value);
    } else {
      const written = mapping.write(value);
      record[mapping.column] = (isSqlExpression(written) ? value : written) as JsonRecord[string];
    }
  }
  const { chain } = entry;
  record.chain_id = chain?.chainId ?? null;
  record.chain_seq = chain?.seq ?? null;
  record.prev_hash = chain?.prevHash ?? null;
  record.entry_hash = chain?.entryHash ?? null;
  return record;
}

/** A mapping's `write` gave a SQL expression around the value (a cast), not the value. */
function isSqlExpression(written: unknown): boolean {
  return typeof written === 'object' && written !== null && 'toOperationNode' in written;
}

/** The entry a selected row holds; `chain` only when the row is chained (migration 007). */
export function toEntry(row: SelectedRow): AuditLogEntry {
  const entry: Partial<Record<keyof AuditLogEntry, unknown>> = {};
  for (const field of ENTRY_FIELDS) {
    const value = ENTRY_COLUMNS[field].parse(row[field]);
    if (value !== undefined) entry[field] = value;
  }
  if (row.chainId !== null && row.chainId !== undefined) {
    entry.chain = {
      chainId: row.chainId,
      seq: Number(row.chainSeq),
      prevHash: row.prevHash,
      entryHash: row.entryHash,
    };
  }
  return entry as AuditLogEntry;
}

function selectEntries(db: Kysely<AuditLogDatabase>) {
  return db.selectFrom('audit_log_entries').select(SELECTION);
}

function byId(a: AuditLogEntry, b: AuditLogEntry): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** JSON text cast to jsonb; the text cast keeps both drivers from re-encoding the string. */
function jsonb(value: unknown) {
  return sql<string>`${JSON.stringify(value) ?? 'null'}::text::jsonb`;
}

const PRIMARY_KEY = 'audit_log_entries_pkey';

/**
 * The unique index a unique violation (23505) names (the primary key when it names none). Since
 * migration 010 each partition holds its own unique indexes (`partitioned-audit-tables.ts`):
 * an id's and a key's are reported as `PRIMARY_KEY` and `IDEMPOTENCY_KEY_INDEX`.
 */
function uniqueViolationOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  if (error.code !== '23505') return undefined;
  const constraint = 'constraint' in error ? error.constraint : undefined;
  if (typeof constraint !== 'string') return PRIMARY_KEY;
  if (constraint.endsWith(LOCAL_ID_INDEX_SUFFIX)) return PRIMARY_KEY;
  if (constraint.endsWith(LOCAL_IDEMPOTENCY_INDEX_SUFFIX)) return IDEMPOTENCY_KEY_INDEX;
  return constraint;
}

/** A keyed batch lost an entry to migration 010's trigger: its key is held. */
class HeldKeySkipped extends Error {}

/**
 * How far an entry's time may be from its UUIDv7's for `findById` to look in that time's
 * partitions first; an entry further off (written with a time of its own) is found by the
 * second look, across all partitions.
 */
const ID_TIME_SLACK_MS = 24 * 60 * 60 * 1000;

/** The milliseconds since the epoch a UUIDv7 was made at; undefined for other versions. */
function uuidV7Time(id: string): number | undefined {
  if (id[14] !== '7') return undefined;
  return Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
}

/**
 * Whether a write that failed after it was sent may still have committed. An error the
 * server answered with (an SQLSTATE) rolled the statement back, unless it is one that ends
 * the connection (class 08, an administrator's or a crash's shutdown): the outcome is certain.
 * No SQLSTATE means the answer never came (the connection broke, or the client stopped
 * waiting), and the INSERT may have committed, or may still.
 */
function leavesCommitInDoubt(error: unknown): boolean {
  if (!isServerError(error)) return true;
  const { code } = error;
  return code.startsWith('08') || code === '57P01' || code === '57P02';
}

/** An error the server sent (`pg`'s and PGlite's carry its severity), not one of the socket's. */
function isServerError(error: unknown): error is { readonly code: string } {
  return (
    typeof error === 'object' &&
    error !== null &&
    'severity' in error &&
    typeof error.severity === 'string' &&
    'code' in error &&
    typeof error.code === 'string'
  );
}
