/**
 * API keys in memory, with the memory audit store: they last as long as the process, and
 * the CLI (another process) cannot reach them; keys are made through `POST /admin/keys`.
 */
import type { ApiKeyRecord, ApiKeyRepository, NewApiKeyRecord } from '../api-key-repository.js';
import { KeyChangeListeners } from '../key-change-listeners.js';

export class MemoryApiKeyRepository implements ApiKeyRepository {
  readonly durable = false;
  readonly #records = new Map<string, ApiKeyRecord>();
  readonly #changes = new KeyChangeListeners();

  async insert(record: NewApiKeyRecord): Promise<void> {
    if (this.#records.has(record.id)) throw new Error(`API key ${record.id} exists already`);
    this.#records.set(record.id, Object.freeze({ ...record, revokedAt: null, lastUsedAt: null }));
    this.#changes.announce(record.id);
  }

  async findById(id: string): Promise<ApiKeyRecord | undefined> {
    return this.#records.get(id);
  }

  async list({ limit }: { readonly limit: number }): Promise<readonly ApiKeyRecord[]> {
    return [...this.#records.values()]
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? -1 : 1))
      .slice(0, limit);
  }

  async revoke(id: string, at: Date): Promise<ApiKeyRecord | undefined> {
    const record = this.#records.get(id);
    if (record === undefined || record.revokedAt !== null) return record;
    const revoked = Object.freeze({ ...record, revokedAt: at });
    this.#records.set(id, revoked);
    this.#changes.announce(id);
    return revoked;
  }

  async touch(id: string, at: Date): Promise<void> {
    const record = this.#records.get(id);
    if (record !== undefined) this.#records.set(id, Object.freeze({ ...record, lastUsedAt: at }));
  }

  onChange(listener: (id: string) => void): () => void {
    return this.#changes.add(listener);
  }
}
