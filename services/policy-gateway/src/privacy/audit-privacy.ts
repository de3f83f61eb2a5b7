/**
 * Privacy on the audit write path, from the settings: the masking step (`MaskingAuditLog`, the
 * outermost step, above the hash chain) and, when originals are sealed, the key-encryption key
 * and the subject key store it seals with. `withAuditPrivacy` wraps an opened store with it and
 * hands the routes what reads originals and erases subjects (`AuditStore.privacy`).
 */
import path from 'node:path';
import type { Settings } from '../config/settings.js';
import { UnusableSettingError } from '../config/unusable-setting-error.js';
import { loadPolicyBundle } from '../policy/policy-bundle.js';
import type { AuditStore } from '../store/audit-store.js';
import { composeAuditWritePath } from '../store/compose-audit-write-path.js';
import { FileSubjectKeyStore } from './file-subject-key-store.js';
import { FileKeyEncryptionKey, KeyEncryptionKeyError } from './key-encryption-key.js';
import { MaskPolicy } from './mask-policy.js';
import { MaskingAuditLog } from './masking-audit-log.js';
import { OriginalSealer } from './original-sealer.js';
import { SubjectEraser } from './subject-erasure.js';

export type AuditPrivacySettings = Pick<Settings, 'privacy' | 'dataDir'> & {
  readonly policy: Pick<Settings['policy'], 'bundleDir'>;
};

/** What the routes read originals and erase subjects with; on `AuditStore.privacy`. */
export interface AuditPrivacy {
  /** Opens sealed originals with their subject's key. */
  readonly sealer: OriginalSealer;
  /** Destroys a subject's key and records it; null on the memory store, which keeps no record. */
  readonly eraser: SubjectEraser | null;
}

/** Where the subject data keys live when `POLICY_GATEWAY_SUBJECT_KEYS_DIR` is unset. */
export const DEFAULT_SUBJECT_KEYS_DIR = 'subject-keys';

/** The sealer the settings ask for, or null when originals are not kept. */
export function originalSealerOf(settings: AuditPrivacySettings): OriginalSealer | null {
  if (settings.privacy.sealOriginals === 'off') return null;
  let kek: FileKeyEncryptionKey;
  try {
    kek =
      settings.privacy.kekFile === undefined
        ? FileKeyEncryptionKey.inDataDir(settings.dataDir)
        : FileKeyEncryptionKey.fromFile(settings.privacy.kekFile);
  } catch (error) {
    if (!(error instanceof KeyEncryptionKeyError)) throw error;
    throw new UnusableSettingError(
      ['POLICY_GATEWAY_SUBJECT_KEK_FILE', 'POLICY_GATEWAY_DATA_DIR'],
      error.message,
      { cause: error },
    );
  }
  const keysDir = settings.privacy.keysDir ?? path.join(settings.dataDir, DEFAULT_SUBJECT_KEYS_DIR);
  return new OriginalSealer(new FileSubjectKeyStore(keysDir), kek);
}

/**
 * `store` with masking (and sealing) as the outermost step of its write path, and `privacy`
 * set when originals are sealed. If the privacy settings cannot be used, `store` is closed and
 * the error says which setting to fix.
 *
 * @example
 * const store = await withAuditPrivacy(await openAuditStore(settings.store, log, chain), settings, log);
 */
export async function withAuditPrivacy(
  store: AuditStore,
  settings: AuditPrivacySettings,
  log: { warn(object: object, message: string): void },
): Promise<AuditStore> {
  try {
    const sealer = originalSealerOf(settings);
    let masked = store;
    if (settings.privacy.masking === 'on') {
      const policy = MaskPolicy.fromBundle(await loadPolicyBundle(settings.policy.bundleDir));
      masked = composeAuditWritePath(store, [
        (inner) => new MaskingAuditLog(inner, { policy, sealer, log }),
      ]);
    }
    if (sealer === null) return masked;
    return {
      ...masked,
      privacy: {
        sealer,
        eraser: store.db === undefined ? null : new SubjectEraser(sealer.keyStore, store.db),
      },
      close: async () => {
        try {
          await masked.close();
        } finally {
          await sealer.keyStore.close();
        }
      },
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}
