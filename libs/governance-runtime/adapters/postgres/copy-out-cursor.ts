/**
 * Kysely's streaming cursor for `pg` (the `cursor` of `PostgresDialect`), for one kind of
 * statement: `COPY (…) TO STDOUT`. Each `read` gives the next chunk of the COPY data as it came
 * off the socket (a `Buffer` holding whole and partial rows), so that a reader of many rows
 * parses bytes instead of having the driver build a string and an object per row: the
 * verifier's digest stream (`postgres-chain-stream.ts`) reads whole chains this way. The COPY
 * protocol itself is `pg-copy-streams`'; this class only adapts it to the cursor interface
 * Kysely drives (`executor.stream`), which runs it on the connection of the Kysely it is given
 * (a transaction's, too).
 *
 * @example
 * const compiled = sql`copy (select 1) to stdout (format binary)`.compile(db);
 * for await (const { rows } of db.getExecutor().stream<Buffer>(compiled, 1)) handle(rows);
 */
import type { Connection } from 'pg';
import { to as copyTo } from 'pg-copy-streams';

type CopyToStream = ReturnType<typeof copyTo>;

/** Thrown, before anything is sent, for a statement that is not a COPY … TO STDOUT. */
export class NotACopyStatementError extends Error {
  constructor() {
    super('this database streams only COPY … TO STDOUT statements (CopyOutCursor)');
    this.name = 'NotACopyStatementError';
  }
}

const COPY_STATEMENT = /^\s*copy\s/i;

export class CopyOutCursor {
  readonly #copy: CopyToStream;
  readonly #chunks: AsyncIterator<Buffer>;
  #done = false;

  /** `parameters` must be empty: COPY takes none, so values are written into the statement. */
  constructor(statement: string, parameters: readonly unknown[]) {
    if (!COPY_STATEMENT.test(statement) || parameters.length > 0) {
      throw new NotACopyStatementError();
    }
    this.#copy = copyTo(statement);
    // The iterator below sees errors through `finished`; this keeps an error that arrives
    // before the first read from being thrown as an unhandled 'error' event.
    this.#copy.on('error', () => undefined);
    this.#chunks = this.#copy[Symbol.asyncIterator]();
  }

  /** The next chunk of COPY data, or none once the statement has ended. */
  async read(_rowsCount: number): Promise<Buffer[]> {
    if (this.#done) return [];
    const next = await this.#chunks.next();
    if (next.done) {
      this.#done = true;
      return [];
    }
    return [next.value];
  }

  /**
   * Reads the rest of the data: a COPY cannot be stopped half-way without breaking the
   * connection, so a reader that stops early still lets it finish.
   */
  async close(): Promise<void> {
    while (!this.#done) await this.read(1);
  }

  // The query protocol `pg` drives an active query with, handed to the COPY stream.
  submit(connection: Connection): void {
    this.#copy.submit(connection);
  }

  handleError(error: Error): void {
    (this.#copy as unknown as { handleError(error: Error): void }).handleError(error);
  }

  handleCommandComplete(message: unknown): void {
    (
      this.#copy as unknown as { handleCommandComplete(message: unknown): void }
    ).handleCommandComplete(message);
  }

  handleReadyForQuery(): void {}
}
