/**
 * Tells the other gateways sharing a PostgreSQL server that this one committed audit entries
 * (`pg_notify` on the channel their live tails listen on), after the commit and apart from it.
 * Sent inside the entries' transaction, a NOTIFY makes PostgreSQL hold a database-wide lock from
 * just before that commit until it is flushed, so every writer's commit waited for the one
 * before (`docs/scaling.md`, "Commit serialisation"). Here each notice is a short transaction of
 * its own with `synchronous_commit = off`: its commit does not wait for a flush, so the lock is
 * held only for the commit's own work.
 *
 * At most one notice is in flight per process: a batch committed meanwhile only asks for one
 * more after it, since a notice carries nothing (a listener reads the trail to learn what is
 * new). And notices are at least `minIntervalMs` apart (20 ms by default): under load, one
 * batch commits every few milliseconds, and a notice after each one was a second round trip
 * and a second server transaction for every batch, for live tails that read the trail again at
 * each notice anyway. A listener hears of a commit at most that much later. A notice lost (this process dies between a commit and its notice, or the server
 * refuses it) delays other replicas' live tails until their next read, and loses no entry.
 */
import {
  AUDIT_ENTRY_COMMITS_CHANNEL,
  type AuditLogDatabase,
} from '@policy-gateway/governance-runtime/postgres';
import { type Kysely, sql } from 'kysely';
import type { Logger } from 'pino';

export interface CommitNoticeSenderOptions {
  /** The least time between the starts of two notices (20 ms); 0 sends each as soon as it may. */
  readonly minIntervalMs?: number;
}

export class CommitNoticeSender {
  readonly #db: Kysely<AuditLogDatabase>;
  readonly #log: Pick<Logger, 'warn'>;
  readonly #minIntervalMs: number;
  #sending: Promise<void> | undefined;
  #again = false;
  #closed = false;
  /** When the last notice was started (performance.now()), -Infinity before the first. */
  #lastSentAt = Number.NEGATIVE_INFINITY;
  /** Ends the wait before a notice early: the sender is closing. */
  #wake: (() => void) | undefined;

  constructor(
    db: Kysely<AuditLogDatabase>,
    log: Pick<Logger, 'warn'>,
    options: CommitNoticeSenderOptions = {},
  ) {
    this.#db = db;
    this.#log = log;
    this.#minIntervalMs = options.minIntervalMs ?? 20;
  }

  /** Entries were committed: a notice is sent soon, never holding up the caller. */
  notify(): void {
    if (this.#closed) return;
    if (this.#sending !== undefined) {
      this.#again = true;
      return;
    }
    this.#sending = this.#send().finally(() => {
      this.#sending = undefined;
    });
  }

  /** Sends what was asked for before, at once, then no more (before the database is closed). */
  async close(): Promise<void> {
    this.#closed = true;
    this.#wake?.();
    await this.#sending;
  }

  async #send(): Promise<void> {
    do {
      await this.#spaced();
      this.#again = false;
      this.#lastSentAt = performance.now();
      try {
        // One statement, so one round trip and one implicit transaction: `set_config(…, true)`
        // holds until that transaction's commit, which then does not wait for a flush. As
        // BEGIN, SET LOCAL, SELECT and COMMIT it was four (bench: CPU per decision on both sides).
        await sql`select set_config('synchronous_commit', 'off', true),
                         pg_notify(${AUDIT_ENTRY_COMMITS_CHANNEL}, '')`.execute(this.#db);
      } catch (error) {
        this.#log.warn(
          { err: error },
          'could not announce committed audit entries to other replicas (their live tails see them at their next heartbeat)',
        );
      }
    } while (this.#again);
  }

  /** Waits until `minIntervalMs` after the last notice started, or until the sender closes. */
  async #spaced(): Promise<void> {
    const wait = this.#lastSentAt + this.#minIntervalMs - performance.now();
    if (wait <= 0 || this.#closed) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, wait);
      this.#wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.#wake = undefined;
  }
}
