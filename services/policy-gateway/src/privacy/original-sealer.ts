/**
 * Seals and opens originals: the unmasked input of an entry, as JSON text, encrypted with
 * AES-256-GCM under the data key of the entry's subject. The additional authenticated data
 * binds a ciphertext to its entry and key (`<entry id>/<key id>`), so it cannot be moved to
 * another entry. A subject's data key is made on first use (32 random bytes, wrapped by the
 * KEK and stored before anything is sealed under it).
 *
 * Sealing remembers a subject's unwrapped key for `SEALING_KEY_TTL_MS` (reading and unwrapping
 * it cost more than a decision: bench:privacy), and only while the key store's `destructions`
 * listen: a key destroyed by any process is forgotten as soon as it is announced, and a look-up
 * that an announcement for its subject overtook is made again, so nothing is sealed under a key
 * known to be destroyed. Opening always asks the key store, so an erased key opens nothing.
 *
 * The originals asked for in one turn of the event loop are sealed together, one after another,
 * once the turn's I/O is done (`setImmediate`). Setting up an AES-GCM cipher walks OpenSSL's
 * cipher tables, which the rest of a decision's work pushes out of the CPU's caches: in
 * bench:privacy one seal between two decisions took about 40 µs of the main thread, against about
 * 8 µs each for seals in a row. A destruction announced between the look-up and the batch sends
 * the seal back for its subject's key again, as an overtaken look-up is.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { SealedOriginal } from '@policy-gateway/governance-runtime';
import type { KeyEncryptionKey } from './key-encryption-key.js';
import { type DataKey, openJsonWith, sealJsonUnder } from './original-cipher.js';
import { RandomBytesPool } from './random-bytes-pool.js';
import type { SubjectKeyStore } from './subject-key-store.js';

export const SEALING_KEY_TTL_MS = 1000;
/** Subjects whose sealing key is remembered at once: a bound on memory (about 100 B each). */
const SEALING_KEYS_MAX = 10_000;
/**
 * Times a seal goes back for its key when destructions keep overtaking it; then it is sealed
 * under the last key found, as an overtaken look-up's answer is used after two attempts.
 */
const SEAL_ATTEMPTS = 3;

interface SealingKey extends DataKey {
  readonly expiresAt: number;
}

/** An original waiting for its turn's batch. */
interface PendingSeal {
  readonly subjectRef: string;
  readonly key: DataKey;
  readonly entryId: string;
  readonly inputJson: string;
  /** `#destructionsSeen` when the key was found. */
  readonly seen: number;
  /** Sealed, or undefined when a destruction since the look-up may have made `key` stale. */
  readonly done: (sealed: SealedOriginal | undefined) => void;
  readonly failed: (error: unknown) => void;
}

/** How a subject is named in the key store and the erasure record: never the user id itself. */
export function subjectRefOf(userId: string): string {
  return createHash('sha256').update(`policy-gateway/subject/v1/${userId}`).digest('hex');
}

/** Why an original cannot be read. */
export type UnreadableOriginal =
  /** The subject's key was destroyed (erasure), or replaced by a newer one after it. */
  | 'erased'
  /** The ciphertext does not open under the key: altered, or moved from another entry. */
  | 'corrupt';

export type OpenedOriginal =
  | { readonly readable: true; readonly input: unknown }
  | { readonly readable: false; readonly why: UnreadableOriginal };

export class OriginalSealer {
  readonly #keys: SubjectKeyStore;
  readonly #kek: KeyEncryptionKey;
  readonly #sealingKeys = new Map<string, SealingKey>();
  /** Look-ups in flight: `overtaken` when a destruction of their subject is announced. */
  readonly #lookups = new Set<{ readonly subjectRef: string; overtaken: boolean }>();
  /** The look-up in flight per subject, shared by the seals that missed while it ran. */
  readonly #sharedLookups = new Map<string, Promise<DataKey | undefined>>();
  readonly #ivs = new RandomBytesPool();
  /** This turn's originals, sealed together by `#sealPending`. */
  #pending: PendingSeal[] = [];
  /** Destructions announced or made here so far: a pending seal found its key before some. */
  #destructionsSeen = 0;
  /** User id → subject reference: a digest per seal cost more than the look-up. */
  readonly #subjectRefs = new Map<string, string>();
  #unsubscribe: (() => void) | undefined;

  constructor(keys: SubjectKeyStore, kek: KeyEncryptionKey) {
    this.#keys = keys;
    this.#kek = kek;
  }

  /**
   * The key store sealed with; destroying a key through it also forgets the remembered one, so
   * an erasure in this process takes effect for sealing at once.
   */
  get keyStore(): SubjectKeyStore {
    const keys = this.#keys;
    return {
      location: keys.location,
      destructions: keys.destructions,
      current: (subjectRef) => keys.current(subjectRef),
      currentKeyIds: (subjectRefs) => keys.currentKeyIds(subjectRefs),
      createIfAbsent: (key) => keys.createIfAbsent(key),
      destroy: async (subjectRef) => {
        this.#forget(subjectRef);
        try {
          return await keys.destroy(subjectRef);
        } finally {
          this.#forget(subjectRef);
        }
      },
      close: () => {
        this.#unsubscribe?.();
        return keys.close();
      },
    };
  }

  async seal(userId: string, entryId: string, input: unknown): Promise<SealedOriginal> {
    return this.sealJson(userId, entryId, JSON.stringify(input));
  }

  /** `seal` of an input already written as JSON text (`JSON.stringify`), for a caller that has it. */
  async sealJson(userId: string, entryId: string, inputJson: string): Promise<SealedOriginal> {
    const subjectRef = this.#subjectRefOf(userId);
    for (let attempt = 1; ; attempt += 1) {
      const seen = this.#destructionsSeen;
      const key = this.#rememberedKey(subjectRef) ?? (await this.#sealingKey(subjectRef));
      const sealed = await new Promise<SealedOriginal | undefined>((done, failed) => {
        const pending = { subjectRef, key, entryId, inputJson, seen, done, failed };
        if (this.#pending.push(pending) === 1) setImmediate(() => this.#sealPending());
      });
      if (sealed !== undefined) return sealed;
      if (attempt === SEAL_ATTEMPTS) {
        return sealJsonUnder(await this.#sealingKey(subjectRef), entryId, inputJson, this.#ivs);
      }
    }
  }

  /**
   * Seals this turn's originals one after another. One whose subject may have lost its key
   * since the look-up (a destruction was announced, and the key is no longer the one remembered)
   * goes back to find it again.
   */
  #sealPending(): void {
    const batch = this.#pending;
    this.#pending = [];
    for (const pending of batch) {
      if (pending.seen !== this.#destructionsSeen && !this.#stillRemembered(pending)) {
        pending.done(undefined);
        continue;
      }
      try {
        pending.done(sealJsonUnder(pending.key, pending.entryId, pending.inputJson, this.#ivs));
      } catch (error) {
        pending.failed(error);
      }
    }
  }

  #stillRemembered({ subjectRef, key }: PendingSeal): boolean {
    return this.#sealingKeys.get(subjectRef)?.keyId === key.keyId;
  }

  async open(userId: string, entryId: string, sealed: SealedOriginal): Promise<OpenedOriginal> {
    const key = await this.#keys.current(subjectRefOf(userId));
    if (key === undefined || key.keyId !== sealed.key_id) return { readable: false, why: 'erased' };
    const dataKey = await this.#kek.unwrap(key.wrappedKey);
    const text = openJsonWith(dataKey, entryId, sealed);
    if (text === undefined) return { readable: false, why: 'corrupt' };
    try {
      return { readable: true, input: JSON.parse(text) };
    } catch {
      return { readable: false, why: 'corrupt' };
    }
  }

  /** `subjectRefOf`, remembered for the users seen last (the same bound as the keys). */
  #subjectRefOf(userId: string): string {
    let subjectRef = this.#subjectRefs.get(userId);
    if (subjectRef === undefined) {
      subjectRef = subjectRefOf(userId);
      if (this.#subjectRefs.size >= SEALING_KEYS_MAX) this.#subjectRefs.clear();
      this.#subjectRefs.set(userId, subjectRef);
    }
    return subjectRef;
  }

  /**
   * The subject's remembered key when it may be used without asking the store (listening, not
   * expired), found without waiting for a turn of the event loop; else undefined.
   */
  #rememberedKey(subjectRef: string): SealingKey | undefined {
    if (!this.#keys.destructions.listening) return undefined;
    const remembered = this.#sealingKeys.get(subjectRef);
    return remembered !== undefined && remembered.expiresAt > Date.now() ? remembered : undefined;
  }

  async #sealingKey(subjectRef: string): Promise<DataKey> {
    this.#unsubscribe ??= this.#keys.destructions.subscribe((destroyed) => this.#forget(destroyed));
    if (!this.#keys.destructions.listening) {
      // Deaf to destructions elsewhere: ask the store every time, as opening does.
      this.#sealingKeys.clear();
      return this.#currentKey(subjectRef);
    }
    const now = Date.now();
    const remembered = this.#sealingKeys.get(subjectRef);
    if (remembered !== undefined && remembered.expiresAt > now) return remembered;
    const current = await this.#sharedLookUp(subjectRef);
    if (current === undefined) return this.#currentKey(subjectRef);
    this.#sealingKeys.delete(subjectRef);
    if (this.#sealingKeys.size >= SEALING_KEYS_MAX) {
      const oldest = this.#sealingKeys.keys().next().value;
      if (oldest !== undefined) this.#sealingKeys.delete(oldest);
    }
    this.#sealingKeys.set(subjectRef, { ...current, expiresAt: now + SEALING_KEY_TTL_MS });
    return current;
  }

  /**
   * `#lookUp`, once for all the seals of a subject that miss at the same time: when its key
   * expires with many decisions in flight, each of them read and unwrapped it (and opened a
   * file each, up to running out of descriptors). A destruction announced meanwhile overtakes
   * the shared look-up as it would a single one.
   */
  #sharedLookUp(subjectRef: string): Promise<DataKey | undefined> {
    let shared = this.#sharedLookups.get(subjectRef);
    if (shared === undefined) {
      shared = this.#lookUp(subjectRef).finally(() => this.#sharedLookups.delete(subjectRef));
      this.#sharedLookups.set(subjectRef, shared);
    }
    return shared;
  }

  /**
   * The subject's current key, unless a destruction of the subject was announced while it was
   * looked up (the answer may be the destroyed key): then once more, and undefined if overtaken
   * again, for the caller to use without remembering it.
   */
  async #lookUp(subjectRef: string): Promise<DataKey | undefined> {
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const lookup = { subjectRef, overtaken: false };
      this.#lookups.add(lookup);
      try {
        const current = await this.#currentKey(subjectRef);
        if (!lookup.overtaken) return current;
      } finally {
        this.#lookups.delete(lookup);
      }
    }
    return undefined;
  }

  /** A key was destroyed (`subjectRef`), or any may have been (undefined). */
  #forget(subjectRef: string | undefined): void {
    this.#destructionsSeen += 1;
    if (subjectRef === undefined) this.#sealingKeys.clear();
    else this.#sealingKeys.delete(subjectRef);
    for (const lookup of this.#lookups) {
      if (subjectRef === undefined || lookup.subjectRef === subjectRef) lookup.overtaken = true;
    }
  }

  async #currentKey(subjectRef: string): Promise<DataKey> {
    const existing = await this.#keys.current(subjectRef);
    if (existing !== undefined) {
      return { keyId: existing.keyId, dataKey: await this.#kek.unwrap(existing.wrappedKey) };
    }
    const dataKey = randomBytes(32);
    const subjectKeyId = randomUUID();
    const stored = await this.#keys.createIfAbsent({
      subjectRef,
      keyId: subjectKeyId,
      kekId: this.#kek.id,
      wrappedKey: await this.#kek.wrap(dataKey),
      createdAt: new Date().toISOString(),
    });
    // Another writer made the subject's key first: seal under that one.
    if (stored.keyId !== subjectKeyId) {
      return { keyId: stored.keyId, dataKey: await this.#kek.unwrap(stored.wrappedKey) };
    }
    return { keyId: stored.keyId, dataKey };
  }
}
