/**
 * The unmasked input of an entry, encrypted (AES-256-GCM) under a data key of the entry's
 * subject, stored on the entry beside its masked form. The chain hashes this ciphertext, as
 * stored: destroying the subject's data key (crypto-shredding, on erasure) makes it
 * unreadable without changing one stored byte, so the chain still verifies.
 */

/** Layout version of a sealed original; `v` in it. */
export const SEALED_ORIGINAL_VERSION = 1;

export interface SealedOriginal {
  readonly v: typeof SEALED_ORIGINAL_VERSION;
  /** Which of the subject's data keys sealed it (a subject erased and seen again has a new one). */
  readonly key_id: string;
  /** The 12-byte GCM nonce, base64. */
  readonly iv: string;
  /** The ciphertext of the input's JSON text followed by the 16-byte GCM tag, base64. */
  readonly ciphertext: string;
}
