/**
 * The port API keys are kept behind: one record per key, found by its id. Only the secret's
 * hash is stored (`api-key-token.ts`); the key itself is shown once, when it is made. Two
 * adapters: PostgreSQL (server or embedded PGlite, migration 005) and memory (with the memory
 * audit store: keys live as long as the process). `CachedApiKeyRepository` decorates either.
 */
import type { Role } from './principal.js';

export interface ApiKeyRecord {
  /** The key's public id, the `<id>` of `pgw_<id>_<secret>`; principals are `key:<id>`. */
  readonly id: string;
  readonly name: string | null;
  readonly role: Role;
  /** SHA-256 of the whole key, base64url (`hashApiKey`). */
  readonly secretHash: string;
  readonly createdAt: Date;
  /** The principal that made it (`key:…`, `oidc:…`), or null when made by the CLI. */
  readonly createdBy: string | null;
  readonly expiresAt: Date | null;
  readonly revokedAt: Date | null;
  /** When it was last accepted, to within a minute; null if never. */
  readonly lastUsedAt: Date | null;
}

export type NewApiKeyRecord = Omit<ApiKeyRecord, 'revokedAt' | 'lastUsedAt'>;

export interface ApiKeyRepository {
  /** Whether keys survive a restart (false for the memory adapter). */
  readonly durable: boolean;
  insert(record: NewApiKeyRecord): Promise<void>;
  /** The key with this id, revoked and expired ones included; undefined when there is none. */
  findById(id: string): Promise<ApiKeyRecord | undefined>;
  /** Newest first, at most `limit`. */
  list(options: { readonly limit: number }): Promise<readonly ApiKeyRecord[]>;
  /**
   * Marks the key revoked at `at` unless it already is; the record as it then stands, or
   * undefined when there is no such key.
   */
  revoke(id: string, at: Date): Promise<ApiKeyRecord | undefined>;
  /** Records a use; best effort, callers do not wait on it for the request. */
  touch(id: string, at: Date): Promise<void>;
  /**
   * Calls `listener` with a key's id once a change made through this object (`insert`,
   * `revoke`) has been stored; not for recorded uses. A cache in the same process evicts on
   * it, so that a key revoked here is refused at once. Returns the unsubscribe function.
   */
  onChange(listener: (id: string) => void): () => void;
}
