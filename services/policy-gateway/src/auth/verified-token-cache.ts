/**
 * Tokens already verified, so that a client sending the same bearer token on every request
 * pays for one signature check, not one per request (an RS256 check costs about as much as
 * a decision). A hit is honoured only while the token is within its `exp` (plus the clock
 * skew), the key that signed it is still in the provider's key set as last fetched, and the
 * entry is younger than the key set's cache age: a retired key or an expired token is
 * refused exactly when it would be without the cache. Keyed by the token's SHA-256, so the
 * cache holds no credential; bounded, oldest dropped first.
 */
import { createHash } from 'node:crypto';
import type { Principal } from './principal.js';

export interface VerifiedToken {
  readonly principal: Principal;
  /** The token's `exp`, in seconds since the epoch. */
  readonly expiresAt: number;
  /** The key id (`kid`) that signed it, undefined when the header named none. */
  readonly keyId: string | undefined;
}

interface Entry extends VerifiedToken {
  readonly verifiedAtMs: number;
}

export interface VerifiedTokenCacheOptions {
  readonly maxEntries: number;
  /** Longest an entry is trusted, in ms (the key set's cache age). */
  readonly maxAgeMs: number;
  readonly clockSkewSeconds: number;
}

export class VerifiedTokenCache {
  readonly #entries = new Map<string, Entry>();
  readonly #options: VerifiedTokenCacheOptions;

  constructor(options: VerifiedTokenCacheOptions) {
    this.#options = options;
  }

  static keyOf(token: string): string {
    return createHash('sha256').update(token).digest('base64url');
  }

  /**
   * The principal of a token verified before and still good at `now`, or undefined.
   * `keyStillPublished` says whether a key id is in the key set as last fetched.
   */
  find(
    key: string,
    now: Date,
    keyStillPublished: (keyId: string | undefined) => boolean,
  ): Principal | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    const nowMs = now.getTime();
    const good =
      nowMs / 1000 <= entry.expiresAt + this.#options.clockSkewSeconds &&
      nowMs - entry.verifiedAtMs < this.#options.maxAgeMs &&
      nowMs >= entry.verifiedAtMs &&
      keyStillPublished(entry.keyId);
    if (!good) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry.principal;
  }

  remember(key: string, token: VerifiedToken, now: Date): void {
    if (this.#options.maxEntries <= 0 || this.#options.maxAgeMs <= 0) return;
    this.#entries.delete(key);
    while (this.#entries.size >= this.#options.maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#entries.delete(oldest);
    }
    this.#entries.set(key, { ...token, verifiedAtMs: now.getTime() });
  }

  clear(): void {
    this.#entries.clear();
  }
}
