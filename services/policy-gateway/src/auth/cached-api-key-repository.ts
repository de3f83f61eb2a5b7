/**
 * A per-process cache of API key records in front of the key repository, so that a request
 * sending a key costs no database round trip once its record is known. It stays correct across
 * replicas because it answers from memory only while its source of changes is listening
 * (`api-key-changes.ts`), and drops a record when its key's change is announced: by the
 * database (another replica revoked it) or by the repository it wraps (this process did, which
 * is seen at once). Entries also age out after `ttlMs`, a backstop for a notification lost in a
 * way nobody noticed (a connection that died silently), and at most `maxEntries` are kept, the
 * least recently used dropped first.
 *
 * Only found records are kept: a lookup of an id that does not exist always goes to the
 * database, so that random ids cannot fill the cache (its size is bounded by the keys there
 * are). Revoked and expired records are kept like others; the authenticator checks
 * `revokedAt` and `expiresAt` on every request, against its clock. A record read while a
 * change was announced is not kept (it may predate the change). `lastUsedAt` of a cached
 * record may be stale: uses are not announced.
 *
 * @example
 * const keys = new CachedApiKeyRepository(store.apiKeys, listener, { ttlMs: 30_000, maxEntries: 10_000 });
 * const authenticator = new ApiKeyAuthenticator(keys, { onClose: () => keys.close() });
 */
import type { ApiKeyChanges } from './api-key-changes.js';
import type { ApiKeyRecord, ApiKeyRepository, NewApiKeyRecord } from './api-key-repository.js';

export interface ApiKeyCacheOptions {
  /** Longest a record is answered from memory, in ms. */
  readonly ttlMs: number;
  readonly maxEntries: number;
  /** Tests only: the clock entries age by, in ms. */
  readonly nowMs?: () => number;
}

export interface ApiKeyCacheStats {
  readonly entries: number;
  /** Lookups answered from memory, and all lookups, since the start. */
  readonly hits: number;
  readonly lookups: number;
}

interface Entry {
  readonly record: ApiKeyRecord;
  readonly storedAtMs: number;
}

export class CachedApiKeyRepository implements ApiKeyRepository {
  readonly #inner: ApiKeyRepository;
  readonly #changes: ApiKeyChanges;
  readonly #options: ApiKeyCacheOptions;
  readonly #nowMs: () => number;
  /** In use order, least recent first (a Map keeps insertion order). */
  readonly #entries = new Map<string, Entry>();
  /** Counts announced changes: a lookup that saw it move keeps nothing. */
  #generation = 0;
  #hits = 0;
  #lookups = 0;
  #unsubscribe: (() => void)[] | undefined;

  constructor(inner: ApiKeyRepository, changes: ApiKeyChanges, options: ApiKeyCacheOptions) {
    this.#inner = inner;
    this.#changes = changes;
    this.#options = options;
    this.#nowMs = options.nowMs ?? Date.now;
  }

  get durable(): boolean {
    return this.#inner.durable;
  }

  get stats(): ApiKeyCacheStats {
    return { entries: this.#entries.size, hits: this.#hits, lookups: this.#lookups };
  }

  async findById(id: string): Promise<ApiKeyRecord | undefined> {
    this.#subscribe();
    this.#lookups += 1;
    const cached = this.#changes.listening ? this.#fresh(id) : undefined;
    if (cached !== undefined) {
      this.#hits += 1;
      return cached;
    }
    const generation = this.#generation;
    const listeningBefore = this.#changes.listening;
    const record = await this.#inner.findById(id);
    if (
      record !== undefined &&
      listeningBefore &&
      this.#changes.listening &&
      generation === this.#generation
    ) {
      this.#keep(id, record);
    }
    return record;
  }

  insert(record: NewApiKeyRecord): Promise<void> {
    return this.#inner.insert(record);
  }

  list(options: { readonly limit: number }): Promise<readonly ApiKeyRecord[]> {
    return this.#inner.list(options);
  }

  revoke(id: string, at: Date): Promise<ApiKeyRecord | undefined> {
    return this.#inner.revoke(id, at);
  }

  touch(id: string, at: Date): Promise<void> {
    return this.#inner.touch(id, at);
  }

  onChange(listener: (id: string) => void): () => void {
    return this.#inner.onChange(listener);
  }

  /** Stops listening and forgets every record. */
  async close(): Promise<void> {
    for (const unsubscribe of this.#unsubscribe ?? []) unsubscribe();
    this.#unsubscribe = [];
    this.#forget(undefined);
    await this.#changes.close();
  }

  /** Subscribed on first use, so that a gateway that never sees a key opens no connection. */
  #subscribe(): void {
    if (this.#unsubscribe !== undefined) return;
    this.#unsubscribe = [
      this.#inner.onChange((id) => this.#forget(id)),
      this.#changes.subscribe((id) => this.#forget(id)),
    ];
  }

  #fresh(id: string): ApiKeyRecord | undefined {
    const entry = this.#entries.get(id);
    if (entry === undefined) return undefined;
    this.#entries.delete(id);
    const ageMs = this.#nowMs() - entry.storedAtMs;
    if (ageMs >= this.#options.ttlMs || ageMs < 0) return undefined;
    this.#entries.set(id, entry);
    return entry.record;
  }

  #keep(id: string, record: ApiKeyRecord): void {
    if (this.#options.maxEntries <= 0 || this.#options.ttlMs <= 0) return;
    this.#entries.delete(id);
    while (this.#entries.size >= this.#options.maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#entries.delete(oldest);
    }
    this.#entries.set(id, { record, storedAtMs: this.#nowMs() });
  }

  #forget(id: string | undefined): void {
    this.#generation += 1;
    if (id === undefined) this.#entries.clear();
    else this.#entries.delete(id);
  }
}
