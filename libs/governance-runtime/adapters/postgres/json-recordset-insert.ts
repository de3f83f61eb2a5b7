/**
 * A batch of audit entries inserted by one statement with one parameter: the rows as a JSON
 * array that the server unpacks (`json_to_recordset`), instead of a multi-row `VALUES` list
 * with a parameter per column per row. The statement's text is the same for every batch size,
 * the driver encodes one string (native `JSON.stringify`) rather than a thousand values, and
 * the server parses one JSON text rather than planning a statement of N×M parameters with a
 * cast each: on a 32-entry batch that was most of the gateway's CPU per decision on PostgreSQL
 * beyond the memory store's, and a large part of the server's per row (`bench`).
 *
 * Each column is declared in the record with its type in the table (read once from the
 * catalog), so that the server converts every value with the type's own input function, as
 * the `::text::type` casts of a `VALUES` list did. A jsonb column is declared `text` and its
 * value is the JSON text the column mapping would have bound (SQL NULL where the mapping
 * writes SQL NULL), then cast: a JSON `null` stored as jsonb `null` stays distinct from SQL
 * NULL, as before.
 *
 * The statement is prepared (`PREPARED`): each connection plans it once per shape, where
 * planning an INSERT into the partitioned table (every partition's indexes opened) cost the
 * server about as much as inserting a small batch (a gateway with a few callers per worker
 * commits one to a few entries a batch).
 */
import { CompiledQuery, type Kysely, sql } from 'kysely';
import type { AuditLogDatabase } from './audit-log-database.js';
import { PREPARED } from './prepared-statement-client.js';

/** One row: column name → the value for its type's input function (JSON text for jsonb). */
export type JsonRecord = Readonly<Record<string, string | number | boolean | null>>;

export interface InsertOptions {
  readonly onConflictDoNothing?: boolean;
  readonly returning?: boolean;
}

export interface JsonRecordsetInsert {
  /** Inserts `records` (all with the same columns, in the same order); the ids it inserted when `returning`. */
  insert(
    db: Kysely<AuditLogDatabase>,
    records: readonly JsonRecord[],
    options?: InsertOptions,
  ): Promise<string[]>;
  /** Whether `column` is jsonb (its value in a record must be JSON text). */
  isJsonb(column: string): boolean;
}

/**
 * Reads the table's column types (one catalog query, once per repository).
 *
 * @example
 * const inserter = await jsonRecordsetInsert(db);
 * const ids = await inserter.insert(connection, entries.map(toRecord), { returning: true });
 */
export async function jsonRecordsetInsert(
  db: Kysely<AuditLogDatabase>,
): Promise<JsonRecordsetInsert> {
  const { rows } = await sql<{ name: string; type: string }>`
    select attname as name, format_type(atttypid, atttypmod) as type
      from pg_attribute
     where attrelid = 'audit_log_entries'::regclass and attnum > 0 and not attisdropped
  `.execute(db);
  const types = new Map(rows.map((row) => [row.name, row.type]));
  /** The statement's text per shape (columns and options): the same for every batch size. */
  const texts = new Map<string, string>();
  const textFor = (columns: readonly string[], options: InsertOptions): string => {
    const shape = `${options.onConflictDoNothing === true}:${options.returning === true}:${columns.join(',')}`;
    let text = texts.get(shape);
    if (text === undefined) {
      text = statementFor(columns, types, options).compile(db).sql;
      if (texts.size < 16) texts.set(shape, text);
    }
    return text;
  };
  return {
    isJsonb: (column) => types.get(column) === 'jsonb',
    async insert(connection, records, options = {}) {
      if (records.length === 0) return [];
      const text = textFor(Object.keys(records[0]!), options);
      const result = await connection.executeQuery<{ id: string }>(
        CompiledQuery.raw(text, [JSON.stringify(records)]),
      );
      return result.rows.map((row) => row.id);
    },
  };
}

/** The INSERT of a recordset bound as `$1`, each column converted by its table type. */
function statementFor(
  columns: readonly string[],
  types: ReadonlyMap<string, string>,
  options: InsertOptions,
) {
  const declared = columns.map((column) => {
    const type = types.get(column);
    if (type === undefined) {
      throw new Error(`audit_log_entries has no column ${column}: run policy-gateway migrate`);
    }
    return sql`${sql.ref(column)} ${sql.raw(type === 'jsonb' ? 'text' : type)}`;
  });
  const selected = columns.map((column) =>
    types.get(column) === 'jsonb' ? sql`${sql.ref(`r.${column}`)}::jsonb` : sql.ref(`r.${column}`),
  );
  return sql`${PREPARED}insert into audit_log_entries (${sql.join(columns.map((column) => sql.ref(column)))})
    select ${sql.join(selected)}
      from json_to_recordset(${sql.raw('$1')}::json) as r(${sql.join(declared)})
    ${options.onConflictDoNothing === true ? sql`on conflict do nothing` : sql``}
    ${options.returning === true ? sql`returning id` : sql``}`;
}
