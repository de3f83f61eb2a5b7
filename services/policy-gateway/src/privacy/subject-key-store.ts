/**
 * The `SubjectKeyStore` port: where each subject's data key is kept, wrapped by the
 * key-encryption key. Destroying a subject's keys is the erasure (crypto-shredding): every
 * original sealed under them becomes unreadable while the sealed bytes, and so the hash
 * chain, stay as they were. The store must live apart from the audit database, so that
 * restoring a backup of the trail does not bring an erased key back (README, "Privacy").
 * Subjects are named by `subjectRef` (a digest of the user id), never by the user id itself.
 */

export interface StoredSubjectKey {
  readonly subjectRef: string;
  /** Unique per key: a subject erased and seen again gets a new one. */
  readonly keyId: string;
  /** The data key wrapped by the KEK named `kekId`. */
  readonly wrappedKey: Buffer;
  readonly kekId: string;
  readonly createdAt: string;
}

/**
 * How a cache of keys hears that a key was destroyed, through this store or, for a store several
 * processes share, by another one. The same shape as the API-key cache's `ApiKeyChanges`.
 */
export interface SubjectKeyDestructions {
  /**
   * Whether every destruction from now on will be announced; while false, a cache must not
   * answer from memory (a destruction it could not hear of is then seen by the next look-up).
   */
  readonly listening: boolean;
  /**
   * Calls `listener` with the subject whose key was destroyed, or with undefined when any may
   * have been (listening began or ended); starts listening if not yet begun.
   */
  subscribe(listener: (subjectRef: string | undefined) => void): () => void;
}

export interface SubjectKeyStore {
  /** Where the keys are, for the start-up log and the README's backup advice. */
  readonly location: string;
  /** The subject's current key, or undefined when it has none (never had, or erased). */
  current(subjectRef: string): Promise<StoredSubjectKey | undefined>;
  /**
   * Stores `key` as the subject's current key unless it has one already; returns the one
   * that is current afterwards (another writer's, when it won the race).
   */
  createIfAbsent(key: StoredSubjectKey): Promise<StoredSubjectKey>;
  /**
   * The current key id of each of these subjects, in one look-up (one query, not one per
   * subject): subjects without a key are absent from the map. For annotating a page of entries.
   */
  currentKeyIds(subjectRefs: readonly string[]): Promise<ReadonlyMap<string, string>>;
  /**
   * Destroys the subject's key and announces it to `destructions` (every process's, for a
   * shared store); returns the key as it was, or undefined when there was none.
   */
  destroy(subjectRef: string): Promise<StoredSubjectKey | undefined>;
  readonly destructions: SubjectKeyDestructions;
  close(): Promise<void>;
}
