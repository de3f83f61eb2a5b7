/**
 * Hears of API key changes on a PostgreSQL server: one dedicated connection (not from the
 * pool, which would hand it back) that runs `LISTEN policy_gateway_api_keys` and passes each
 * notification of migration 009's trigger on as the changed key's id. It is `listening` only
 * from the moment its LISTEN is in place until the connection fails; caches answer nothing from
 * memory meanwhile, so a revocation made while it was deaf is seen by the next lookup, never
 * missed. A failed connection is replaced, after a delay that doubles from `initialBackoffMs`
 * up to `maxBackoffMs`; a `select 1` every `pingIntervalMs` notices a connection that died
 * without a word (TCP keep-alive alone takes hours), and the cache's TTL bounds what even that
 * could cost.
 */
import { API_KEY_CHANGES_CHANNEL } from '@policy-gateway/governance-runtime/postgres';
import pg from 'pg';
import type { ApiKeyChangeListener, ApiKeyChanges } from '../api-key-changes.js';

export interface PostgresApiKeyChangeListenerOptions {
  /** The audit database's `postgresql://` URL. */
  readonly connectionString: string;
  /**
   * The channel listened to; default `policy_gateway_api_keys` (migration 009). Another channel
   * whose payloads name what changed reuses this listener: the subject key store's destructions.
   */
  readonly channel?: string;
  /** Bound on connecting and on each statement (LISTEN, the ping), in ms. Default 5000. */
  readonly timeoutMs?: number;
  /** Delay before the first reconnection, in ms; doubles after each failure. Default 100. */
  readonly initialBackoffMs?: number;
  /** Longest delay between reconnections, in ms. Default 5000. */
  readonly maxBackoffMs?: number;
  /** How often the connection is probed, in ms. Default 10000. */
  readonly pingIntervalMs?: number;
  /** Shown in `pg_stat_activity`. */
  readonly applicationName?: string;
  /** Told when listening begins and when it ends (with the reason), for the log. */
  readonly onListening?: () => void;
  readonly onDeaf?: (error: unknown) => void;
}

export class PostgresApiKeyChangeListener implements ApiKeyChanges {
  readonly #options: PostgresApiKeyChangeListenerOptions;
  readonly #listeners = new Set<ApiKeyChangeListener>();
  #client: pg.Client | undefined;
  #listening = false;
  #started = false;
  #closed = false;
  #failures = 0;
  #retry: NodeJS.Timeout | undefined;
  #ping: NodeJS.Timeout | undefined;

  constructor(options: PostgresApiKeyChangeListenerOptions) {
    this.#options = options;
    if (options.channel !== undefined && !/^[a-z_][a-z0-9_]*$/.test(options.channel)) {
      throw new RangeError(`not a channel name: ${options.channel}`);
    }
  }

  get #channel(): string {
    return this.#options.channel ?? API_KEY_CHANGES_CHANNEL;
  }

  get listening(): boolean {
    return this.#listening;
  }

  subscribe(listener: ApiKeyChangeListener): () => void {
    this.#listeners.add(listener);
    if (!this.#started && !this.#closed) {
      this.#started = true;
      void this.#connect();
    }
    return () => {
      this.#listeners.delete(listener);
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#retry);
    clearInterval(this.#ping);
    this.#listening = false;
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => undefined);
  }

  #announce(id: string | undefined): void {
    for (const listener of this.#listeners) listener(id);
  }

  async #connect(): Promise<void> {
    const timeoutMs = this.#options.timeoutMs ?? 5000;
    const client = new pg.Client({
      connectionString: this.#options.connectionString,
      connectionTimeoutMillis: timeoutMs,
      query_timeout: timeoutMs,
      keepAlive: true,
      application_name: this.#options.applicationName ?? 'policy-gateway api-key changes',
    });
    // Until it is the current client, a failure is the connect's own and is handled below.
    client.on('error', (error) => this.#lost(client, error));
    client.on('end', () => this.#lost(client, new Error('the connection was closed')));
    client.on('notification', (message) => {
      if (client !== this.#client || message.channel !== this.#channel) return;
      this.#announce(
        message.payload === undefined || message.payload === '' ? undefined : message.payload,
      );
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${this.#channel}`);
    } catch (error) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      this.#options.onDeaf?.(error);
      this.#scheduleReconnect();
      return;
    }
    if (this.#closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.#client = client;
    this.#failures = 0;
    // Whatever changed while nobody listened is unknown: forget everything, then trust again.
    this.#announce(undefined);
    this.#listening = true;
    this.#options.onListening?.();
    this.#ping = setInterval(() => {
      client.query('select 1').catch((error: unknown) => this.#lost(client, error));
    }, this.#options.pingIntervalMs ?? 10_000);
    this.#ping.unref();
  }

  #lost(client: pg.Client, error: unknown): void {
    if (client !== this.#client) return;
    this.#client = undefined;
    this.#listening = false;
    clearInterval(this.#ping);
    this.#announce(undefined);
    client.removeAllListeners('end');
    client.end().catch(() => undefined);
    if (this.#closed) return;
    this.#options.onDeaf?.(error);
    this.#scheduleReconnect();
  }

  #scheduleReconnect(): void {
    if (this.#closed) return;
    const initial = this.#options.initialBackoffMs ?? 100;
    const delay = Math.min(initial * 2 ** this.#failures, this.#options.maxBackoffMs ?? 5000);
    this.#failures += 1;
    this.#retry = setTimeout(() => void this.#connect(), delay);
    this.#retry.unref();
  }
}
