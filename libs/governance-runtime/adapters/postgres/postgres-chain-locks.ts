/**
 * Which chains still have a writer, on a PostgreSQL server that several gateway replicas
 * share: each writer holds a session advisory lock named after its chain for as long as it
 * runs, on a connection of its own. The server releases it when that session ends, also when
 * the process is SIGKILLed or its node vanishes (TCP keep-alive), so a chain whose lock can be
 * taken has no writer left and may be sealed (`sealAbandonedChains`). Not for PGlite: one
 * process owns an embedded database (its data directory is locked), so every other chain in
 * it is abandoned, and holding its only connection would stop every other query.
 */
import { type Kysely, sql } from 'kysely';
import type { AuditLogDatabase } from './audit-log-database.js';

/** The advisory lock key of a chain: a 64-bit hash of its id, in a namespace of our own. */
function lockKey(chainId: string) {
  return sql<string>`hashtextextended(${`policy-gateway/audit-chain/${chainId}`}, 0)`;
}

export interface HeldChainLock {
  /** Releases the lock (and its connection). */
  release(): Promise<void>;
}

export class PostgresChainLocks {
  readonly #db: Kysely<AuditLogDatabase>;

  constructor(db: Kysely<AuditLogDatabase>) {
    this.#db = db;
  }

  /**
   * Takes the chain's lock on a connection kept for it until `release`. If that connection
   * breaks, the lock is taken again on a new one (every `retryMs`) until released.
   */
  async hold(chainId: string, options: { retryMs?: number } = {}): Promise<HeldChainLock> {
    const retryMs = options.retryMs ?? 1000;
    let released = false;
    let wake: () => void = () => undefined;
    const session = (onTaken: () => void) =>
      this.#db.connection().execute(async (connection) => {
        await sql`select pg_advisory_lock(${lockKey(chainId)})`.execute(connection);
        onTaken();
        await new Promise<void>((resolve) => {
          wake = resolve;
          if (released) resolve();
        });
        await sql`select pg_advisory_unlock(${lockKey(chainId)})`.execute(connection);
      });
    await new Promise<void>((taken, failed) => {
      const run = (first: boolean): void => {
        let ok = !first;
        session(() => {
          ok = true;
          if (first) taken();
        })
          .catch((error: unknown) => {
            if (first && !ok) failed(error);
          })
          .finally(() => {
            // The connection broke while holding: take the lock again on another one.
            if (ok && !released) setTimeout(() => run(false), retryMs).unref();
          });
      };
      run(true);
    });
    return {
      release: async () => {
        released = true;
        wake();
      },
    };
  }

  /**
   * Runs `work` holding the chain's lock if nobody holds it (its writer is gone, and no other
   * process is sealing it); undefined, without running it, when somebody does.
   */
  async whileAbandoned<T>(chainId: string, work: () => Promise<T>): Promise<T | undefined> {
    return this.#db.connection().execute(async (connection) => {
      const { rows } = await sql<{ free: boolean }>`
        select pg_try_advisory_lock(${lockKey(chainId)}) as free`.execute(connection);
      if (rows[0]?.free !== true) return undefined;
      try {
        return await work();
      } finally {
        await sql`select pg_advisory_unlock(${lockKey(chainId)})`.execute(connection);
      }
    });
  }
}
