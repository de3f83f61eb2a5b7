/**
 * Authenticates `pgw_…` API keys: finds the record by the key's id (in the gateway, through
 * `CachedApiKeyRepository`, which answers from memory while it hears of every change), compares
 * the key's hash in constant time and refuses a revoked or expired key, checking both on every
 * request against this authenticator's clock, whether the record came from memory or not. Unknown, revoked and expired keys all come back
 * as a refusal; the reason is for the log. A database that does not answer is thrown, for
 * the guard's 503.
 */
import type { ApiKeyRepository } from './api-key-repository.js';
import { apiKeyId, hashApiKey, sameHash } from './api-key-token.js';
import type { Authentication, Authenticator } from './authenticator.js';
import type { Principal } from './principal.js';

/** Uses are recorded at most once a minute per key, off the request's path. */
const TOUCH_INTERVAL_MS = 60_000;
const TOUCHED_KEYS_MAX = 10_000;
/** Compared against when the id is unknown, so that the time taken does not tell. */
const UNKNOWN_KEY_HASH = hashApiKey('pgw_unknown');

export interface ApiKeyAuthenticatorOptions {
  readonly now?: () => Date;
  /** Where a failed use record is reported. */
  readonly onTouchError?: (error: unknown) => void;
  /** Releases what the authenticator was given to own (a cache and its connection). */
  readonly onClose?: () => Promise<void>;
}

export function apiKeyPrincipal(record: {
  id: string;
  name: string | null;
  role: Principal['roles'][number];
}): Principal {
  return Object.freeze({
    kind: 'api_key',
    id: `key:${record.id}`,
    name: record.name,
    subject: null,
    roles: Object.freeze([record.role]),
  });
}

export class ApiKeyAuthenticator implements Authenticator {
  readonly #keys: ApiKeyRepository;
  readonly #now: () => Date;
  readonly #onTouchError: (error: unknown) => void;
  readonly #touched = new Map<string, number>();
  readonly #onClose: () => Promise<void>;

  constructor(keys: ApiKeyRepository, options: ApiKeyAuthenticatorOptions = {}) {
    this.#keys = keys;
    this.#now = options.now ?? (() => new Date());
    this.#onTouchError = options.onTouchError ?? (() => {});
    this.#onClose = options.onClose ?? (async () => {});
  }

  accepts(token: string): boolean {
    return token.startsWith('pgw_');
  }

  async authenticate(token: string): Promise<Authentication> {
    const id = apiKeyId(token);
    if (id === undefined) return { principal: undefined, refusal: 'not a well-formed API key' };
    const record = await this.#keys.findById(id);
    const matches = sameHash(hashApiKey(token), record?.secretHash ?? UNKNOWN_KEY_HASH);
    if (record === undefined || !matches) {
      return { principal: undefined, refusal: `API key ${id} unknown or its secret is wrong` };
    }
    const now = this.#now();
    if (record.revokedAt !== null) {
      return {
        principal: undefined,
        refusal: `API key ${id} was revoked at ${record.revokedAt.toISOString()}`,
      };
    }
    if (record.expiresAt !== null && record.expiresAt.getTime() <= now.getTime()) {
      return {
        principal: undefined,
        refusal: `API key ${id} expired at ${record.expiresAt.toISOString()}`,
      };
    }
    this.#touch(id, now);
    return { principal: apiKeyPrincipal(record) };
  }

  #touch(id: string, now: Date): void {
    const last = this.#touched.get(id);
    if (last !== undefined && now.getTime() - last < TOUCH_INTERVAL_MS) return;
    if (this.#touched.size >= TOUCHED_KEYS_MAX) this.#touched.clear();
    this.#touched.set(id, now.getTime());
    this.#keys.touch(id, now).catch(this.#onTouchError);
  }

  async close(): Promise<void> {
    await this.#onClose();
  }
}
