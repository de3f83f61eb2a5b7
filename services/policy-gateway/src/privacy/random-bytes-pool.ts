/**
 * Random bytes drawn from a pool that is refilled from the CSPRNG a few KiB at a time, for
 * callers that need a few bytes very often (an AES-GCM IV per sealed original): one call into
 * the CSPRNG per refill instead of one per IV, which cost more than the encryption itself
 * (bench:privacy). Node pools the entropy of `randomUUID` the same way. Every byte is handed
 * out once, copied, and the pool is per process and thread, so no two callers share bytes.
 */
import { randomFillSync } from 'node:crypto';

export class RandomBytesPool {
  readonly #pool: Buffer;
  #at: number;

  /** `poolBytes`: how much is drawn from the CSPRNG at once. */
  constructor(poolBytes = 4096) {
    this.#pool = Buffer.alloc(poolBytes);
    this.#at = poolBytes;
  }

  /** `size` fresh random bytes, never handed out before; `size` at most the pool's size. */
  take(size: number): Buffer {
    if (size > this.#pool.length) throw new RangeError(`at most ${this.#pool.length} bytes`);
    if (this.#at + size > this.#pool.length) {
      randomFillSync(this.#pool);
      this.#at = 0;
    }
    const bytes = Buffer.from(this.#pool.subarray(this.#at, this.#at + size));
    this.#at += size;
    return bytes;
  }
}
