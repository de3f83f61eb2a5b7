/**
 * PGlite on a worker thread of its own, behind the interface Kysely's `PGliteDialect` uses
 * (`query`, `transaction`, `close`). PGlite runs PostgreSQL in WebAssembly synchronously: on
 * the gateway's main thread every statement stopped the event loop for its whole length, so
 * that nothing else (HTTP, the evaluation threads' answers) moved meanwhile and group commit
 * found a single entry waiting after each batch, paying a statement (and migration 019's twelve
 * roll-up upserts) per decision. On its own thread the database works while the main thread
 * keeps answering, and the decisions that arrive meanwhile share the next batch, as on a
 * PostgreSQL server.
 *
 * What stays the same: one session, statements one at a time (a transaction holds the thread
 * until it ends, as PGlite's own mutex does), each answered only once PGlite answered it, so a
 * write is acknowledged only once committed. A database error comes back with its fields
 * (`code`, `severity`, `constraint`, …); when the thread dies, every statement it held fails
 * with an error that carries no SQLSTATE, which the write path reads as "outcome unknown".
 *
 * The thread's code is a string run with `eval: true`, so that it needs no entry file of its
 * own beside the sources, the compiled gateway or a test runner's transform; it loads PGlite's
 * CommonJS build, resolved from this module's location.
 *
 * @example
 * const thread = await PgliteThread.open('/var/lib/gateway/pglite');
 * const db = new Kysely<AuditLogDatabase>({ dialect: new PGliteDialect({ pglite: thread }) });
 */
import { Worker } from 'node:worker_threads';
import type { PGlite, PGliteQueryOptions, PGliteQueryResults, PGliteTransaction } from 'kysely';

/** The fields of a PostgreSQL error that PGlite reports, copied across the thread. */
const ERROR_FIELDS = [
  'name',
  'severity',
  'code',
  'detail',
  'hint',
  'position',
  'internalPosition',
  'internalQuery',
  'where',
  'schema',
  'table',
  'column',
  'dataType',
  'constraint',
  'file',
  'line',
  'routine',
] as const;

const THREAD_CODE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createRequire } = require('node:module');
const { PGlite } = createRequire(workerData.from)('@electric-sql/pglite');
const FIELDS = ${JSON.stringify(ERROR_FIELDS)};
const failure = (error) => {
  const out = { message: error instanceof Error ? error.message : String(error) };
  if (typeof error === 'object' && error !== null) {
    for (const field of FIELDS) if (error[field] !== undefined) out[field] = error[field];
  }
  return out;
};
let db;
let tx;
let finish;
let ended;
const run = async (m) => {
  switch (m.op) {
    case 'query': {
      const { rows, affectedRows, fields } = await (tx ?? db).query(m.sql, m.params, m.options);
      return { rows, affectedRows, fields };
    }
    case 'begin':
      await new Promise((began, failed) => {
        ended = db
          .transaction((t) => {
            tx = t;
            began();
            return new Promise((commit, rollback) => { finish = { commit, rollback }; });
          })
          .finally(() => { tx = undefined; finish = undefined; });
        ended.catch(failed);
      });
      return null;
    case 'commit':
      finish.commit();
      await ended;
      return null;
    case 'rollback':
      finish.rollback(new Error('rolled back'));
      await ended.catch(() => undefined);
      return null;
    case 'close':
      if (!db.closed) await db.close();
      return null;
  }
  throw new Error('unknown operation ' + m.op);
};
let queue = Promise.resolve();
parentPort.on('message', (m) => {
  queue = queue.then(() => run(m)).then(
    (result) => parentPort.postMessage({ id: m.id, result }),
    (error) => parentPort.postMessage({ id: m.id, error: failure(error) }),
  ).then(() => { if (m.op === 'close') parentPort.close(); });
});
PGlite.create(workerData.dataDir).then(
  (opened) => { db = opened; parentPort.postMessage({ id: 0, result: null }); },
  (error) => parentPort.postMessage({ id: 0, error: failure(error) }),
);
`;

type Operation =
  | {
      readonly op: 'query';
      readonly sql: string;
      readonly params: readonly unknown[];
      readonly options: PGliteQueryOptions;
    }
  | { readonly op: 'begin' | 'commit' | 'rollback' | 'close' };

interface Reply {
  readonly id: number;
  readonly result?: unknown;
  readonly error?: Readonly<Record<string, unknown>> & { readonly message: string };
}

/** A database error as PGlite reported it on its thread, with its fields. */
export class PgliteThreadError extends Error {
  constructor(fields: Readonly<Record<string, unknown>> & { readonly message: string }) {
    super(fields.message);
    Object.assign(this, fields);
  }
}

export class PgliteThread implements PGlite {
  readonly ready = true;
  readonly waitReady = Promise.resolve();
  readonly #worker: Worker;
  readonly #pending = new Map<
    number,
    { resolve(value: unknown): void; reject(error: Error): void }
  >();
  #nextId = 1;
  /** Statements and transactions run one after the other, in the order asked. */
  #tail: Promise<unknown> = Promise.resolve();
  #closed = false;
  /** Why the thread stopped, once it did. */
  #stopped: Error | undefined;

  private constructor(worker: Worker) {
    this.#worker = worker;
    worker.on('message', (reply: Reply) => {
      const waiting = this.#pending.get(reply.id);
      if (waiting === undefined) return;
      this.#pending.delete(reply.id);
      if (reply.error === undefined) waiting.resolve(reply.result);
      else waiting.reject(new PgliteThreadError(reply.error));
    });
    worker.on('error', (error) => this.#stop(error));
    worker.on('exit', (code) =>
      this.#stop(new Error(`the embedded database thread exited (code ${code})`)),
    );
  }

  /**
   * Opens (creating when missing) the PGlite database in `dataDir` (or `memory://`) on a new
   * thread; rejects with PGlite's error when it cannot, and the thread is gone.
   */
  static async open(dataDir: string): Promise<PgliteThread> {
    const worker = new Worker(THREAD_CODE, {
      eval: true,
      workerData: { dataDir, from: import.meta.url },
    });
    const thread = new PgliteThread(worker);
    try {
      await thread.#send(0, undefined);
    } catch (error) {
      await worker.terminate();
      throw error;
    }
    return thread;
  }

  get closed(): boolean {
    return this.#closed;
  }

  query<T>(
    sql: string,
    params: unknown[] = [],
    options: PGliteQueryOptions = {},
  ): Promise<PGliteQueryResults<T>> {
    return this.#exclusive(() => this.#statement<T>(sql, params, options));
  }

  /** Holds the thread for the callback's statements; commits when it resolves, else rolls back. */
  transaction<T>(callback: (tx: PGliteTransaction) => Promise<T>): Promise<T> {
    return this.#exclusive(async () => {
      await this.#call({ op: 'begin' });
      let open = true;
      const tx: PGliteTransaction = {
        query: <R>(sql: string, params: unknown[] = [], options: PGliteQueryOptions = {}) => {
          if (!open) return Promise.reject(new Error('Transaction is closed'));
          return this.#statement<R>(sql, params, options);
        },
        rollback: async () => {
          if (!open) throw new Error('Transaction is closed');
          open = false;
          await this.#call({ op: 'rollback' });
        },
      };
      let result: T;
      try {
        result = await callback(tx);
      } catch (error) {
        if (open) {
          open = false;
          await this.#call({ op: 'rollback' }).catch(() => undefined);
        }
        throw error;
      }
      if (open) {
        open = false;
        await this.#call({ op: 'commit' });
      }
      return result;
    });
  }

  /** Closes PGlite (after the statements asked before) and ends the thread. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      if (this.#stopped === undefined) {
        await this.#exclusive(() => this.#call({ op: 'close' }), true);
      }
    } finally {
      await this.#worker.terminate();
    }
  }

  #statement<T>(
    sql: string,
    params: readonly unknown[],
    options: PGliteQueryOptions,
  ): Promise<PGliteQueryResults<T>> {
    // Only plain options cross the thread; blobs and per-query parsers are not used here.
    const { rowMode } = options;
    return this.#call({
      op: 'query',
      sql,
      params,
      options: rowMode === undefined ? {} : { rowMode },
    }) as Promise<PGliteQueryResults<T>>;
  }

  #exclusive<T>(work: () => Promise<T>, closing = false): Promise<T> {
    if (this.#closed && !closing) {
      return Promise.reject(new Error('the embedded database is closed'));
    }
    const run = this.#tail.then(work, work);
    this.#tail = run.catch(() => undefined);
    return run;
  }

  #call(operation: Operation): Promise<unknown> {
    const id = this.#nextId;
    this.#nextId += 1;
    return this.#send(id, operation);
  }

  #send(id: number, operation: Operation | undefined): Promise<unknown> {
    if (this.#stopped !== undefined) return Promise.reject(this.#stopped);
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      if (operation !== undefined) this.#worker.postMessage({ id, ...operation });
    });
  }

  /** The thread is gone: whatever it held fails, and so does whatever is asked later. */
  #stop(error: Error): void {
    this.#stopped ??= error;
    for (const waiting of this.#pending.values()) waiting.reject(this.#stopped);
    this.#pending.clear();
  }
}
