/**
 * The port a cache of API key records learns of changes through: whether it can hear of every
 * change made elsewhere right now (`listening`), and which key changed. While it is not
 * listening, a cache must answer nothing from memory, so that a change it could not hear of
 * (a revocation while the connection was down) is still seen on the next lookup.
 *
 * Two sources: a PostgreSQL server's notifications (`postgres/postgres-api-key-change-listener.ts`,
 * for replicas sharing a database), and `THIS_PROCESS_ONLY`, where no other process can change
 * the keys (the embedded database's data directory is locked by the process serving it) and the
 * repository's own `onChange` tells of every change.
 */

/** `id` changed; undefined: any key may have changed (listening began or ended, a TRUNCATE). */
export type ApiKeyChangeListener = (id: string | undefined) => void;

export interface ApiKeyChanges {
  /** Whether every change made by another process will be announced from now on. */
  readonly listening: boolean;
  /** Starts listening if not yet begun; returns the unsubscribe function. */
  subscribe(listener: ApiKeyChangeListener): () => void;
  close(): Promise<void>;
}

/** No other process can change the keys: nothing to listen to, so always listening. */
export const THIS_PROCESS_ONLY: ApiKeyChanges = Object.freeze({
  listening: true,
  subscribe: () => () => {},
  close: async () => {},
});
