/**
 * Binary COPY as the verifier reads it, from a real PostgreSQL server: `CopyOutCursor`
 * streams a `COPY … TO STDOUT (FORMAT binary)` through Kysely, on a transaction's connection
 * too, and `BinaryCopyTuples` gives back every field exactly (NULL, empty, escapes, control
 * characters, U+2028, emoji), however the bytes are split into chunks; a statement that is
 * not a COPY is refused before it is sent.
 */
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../testing/create-test-database.js';
import type { AuditLogDatabase } from '../../postgres/audit-log-database.js';
import { BinaryCopyTuples } from '../../postgres/binary-copy-tuples.js';
import { NotACopyStatementError } from '../../postgres/copy-out-cursor.js';
import { openPostgresAuditLogDatabase } from '../../postgres/open-postgres-audit-log-database.js';

const VALUES: readonly (string | null)[] = [
  'plain',
  '',
  null,
  'tab\tnew\nline\rback\\slash "quote"',
  'controls \u0001\u001f\u007f',
  '\u2028\u2029 é 漢字 😀 𝄞',
  'x'.repeat(70_000),
];

describe('binary COPY through CopyOutCursor on a PostgreSQL server', () => {
  let database: TestDatabase;
  let db: Kysely<AuditLogDatabase>;

  beforeAll(async () => {
    database = await createTestDatabase();
    db = openPostgresAuditLogDatabase({ connectionString: database.url, maxConnections: 2 });
  });
  afterAll(async () => {
    await db?.destroy();
    await database?.drop();
  });

  /** The COPY data of one row per value (its index, the value, and the value's length). */
  async function copyData(on: Kysely<AuditLogDatabase>): Promise<Buffer> {
    const literals = VALUES.map((value, i) =>
      value === null ? sql`(${sql.lit(i)}, null::text)` : sql`(${sql.lit(i)}, ${sql.lit(value)})`,
    );
    const compiled = sql`copy (select i::text, v, length(v)::text
        from (values ${sql.join(literals)}) as t(i, v) order by i) to stdout (format binary)`.compile(
      on,
    );
    const chunks: Buffer[] = [];
    for await (const { rows } of on.getExecutor().stream<Buffer>(compiled, 1)) {
      for (const chunk of rows) chunks.push(Buffer.from(chunk));
    }
    return Buffer.concat(chunks);
  }

  function parse(chunks: readonly Buffer[]): (string | null)[][] {
    const tuples = new BinaryCopyTuples(3);
    const rows: (string | null)[][] = [];
    for (const chunk of chunks) {
      tuples.push(chunk, (tuple) => {
        const row: (string | null)[] = [];
        for (let field = 0; field < tuple.fieldCount; field += 1) {
          row.push(tuple.isNull(field) ? null : tuple.text(field));
        }
        rows.push(row);
      });
    }
    tuples.end();
    return rows;
  }

  const expected = VALUES.map((value, i) => [
    String(i),
    value,
    value === null ? null : String([...value].length),
  ]);

  it('gives back every field exactly, however the stream is split into chunks', async () => {
    const data = await copyData(db);
    expect(parse([data])).toEqual(expected);
    // Split at every offset in the header and the first rows, and far into the long value.
    for (const at of [
      ...Array.from({ length: 400 }, (_, i) => i),
      data.length - 40_000,
      data.length - 3,
    ]) {
      expect(parse([data.subarray(0, at), data.subarray(at)])).toEqual(expected);
    }
    const bytes = Array.from({ length: data.length }, (_, i) => data.subarray(i, i + 1));
    expect(parse(bytes.slice(0, 2000).concat([data.subarray(2000)]))).toEqual(expected);
  });

  it("streams on a transaction's connection, seeing what the transaction wrote", async () => {
    await db.transaction().execute(async (trx) => {
      await sql`create temporary table seen (v text) on commit drop`.execute(trx);
      await sql`insert into seen values ('written in the transaction')`.execute(trx);
      const compiled = sql`copy seen to stdout (format binary)`.compile(trx);
      const chunks: Buffer[] = [];
      for await (const { rows } of trx.getExecutor().stream<Buffer>(compiled, 1)) {
        for (const chunk of rows) chunks.push(Buffer.from(chunk));
      }
      expect(parse(chunks)).toEqual([['written in the transaction']]);
      // The connection is usable again once the COPY has been read.
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from seen`.execute(trx);
      expect(rows[0]?.n).toBe(1);
    });
  });

  it('refuses a statement that is not a COPY, before sending it', async () => {
    const compiled = sql`select 1`.compile(db);
    const stream = db.getExecutor().stream(compiled, 1);
    await expect(stream.next()).rejects.toBeInstanceOf(NotACopyStatementError);
  });

  it('reports a server error in a COPY and leaves the connection usable', async () => {
    const compiled = sql`copy (select 1 / 0) to stdout (format binary)`.compile(db);
    const consume = async () => {
      for await (const _ of db.getExecutor().stream(compiled, 1)) {
        // nothing: the statement fails
      }
    };
    await expect(consume()).rejects.toMatchObject({ code: '22012' });
    const { rows } = await sql<{ ok: number }>`select 1 as ok`.execute(db);
    expect(rows).toEqual([{ ok: 1 }]);
  });

  it('refuses a stream cut off in the middle of a row', async () => {
    const data = await copyData(db);
    expect(() => parse([data.subarray(0, data.length - 10)])).toThrow(/middle of a row/);
  });
});
