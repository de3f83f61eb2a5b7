/**
 * The cipher of sealed originals, with no key store and no state: AES-256-GCM under a subject's
 * data key, the additional authenticated data binding a ciphertext to its entry and key
 * (`<entry id>/<key id>`), so that it cannot be moved to another entry. `OriginalSealer` decides
 * which key and when; this file only encrypts and decrypts.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { SEALED_ORIGINAL_VERSION, type SealedOriginal } from '@policy-gateway/governance-runtime';
import type { RandomBytesPool } from './random-bytes-pool.js';

const IV_BYTES = 12;
const TAG_BYTES = 16;

/** A subject's data key in the clear, and the id it is stored under. */
export interface DataKey {
  readonly keyId: string;
  readonly dataKey: Buffer;
}

/** Seals `inputJson` (an input's JSON text) for entry `entryId` under `key`, with a fresh IV. */
export function sealJsonUnder(
  key: DataKey,
  entryId: string,
  inputJson: string,
  ivs: RandomBytesPool,
): SealedOriginal {
  const iv = ivs.take(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key.dataKey, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(`${entryId.toLowerCase()}/${key.keyId}`));
  const ciphertext = Buffer.concat([
    cipher.update(inputJson, 'utf8'),
    cipher.final(),
    cipher.getAuthTag(),
  ]);
  return {
    v: SEALED_ORIGINAL_VERSION,
    key_id: key.keyId,
    iv: iv.toString('base64'),
    ciphertext: ciphertext.toString('base64'),
  };
}

/**
 * The JSON text sealed in `sealed` for entry `entryId`, opened with `dataKey` (the key
 * `sealed.key_id` names); undefined when it does not open (altered, or moved from another entry).
 */
export function openJsonWith(
  dataKey: Buffer,
  entryId: string,
  sealed: SealedOriginal,
): string | undefined {
  const bytes = Buffer.from(sealed.ciphertext, 'base64');
  if (bytes.length < TAG_BYTES) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', dataKey, Buffer.from(sealed.iv, 'base64'), {
      authTagLength: TAG_BYTES,
    });
    decipher.setAAD(Buffer.from(`${entryId.toLowerCase()}/${sealed.key_id}`));
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
    return Buffer.concat([
      decipher.update(bytes.subarray(0, bytes.length - TAG_BYTES)),
      decipher.final(),
    ]).toString('utf8');
  } catch {
    return undefined;
  }
}
