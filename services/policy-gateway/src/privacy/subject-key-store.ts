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
  /** Destroys the subject's key; returns it as it was, or undefined when there was none. */
  destroy(subjectRef: string): Promise<StoredSubjectKey | undefined>;
  close(): Promise<void>;
}
