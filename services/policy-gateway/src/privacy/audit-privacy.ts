/**
 * Privacy on the audit write path, from the settings: the masking step (`MaskingAuditLog`, the
 * outermost step, above the hash chain) and, when originals are sealed, the key-encryption key
 * and the subject key store it seals with. `withAuditPrivacy` wraps an opened store with it.
 */
import path from 'node:path';
import type { Settings } from '../config/settings.js';
import { loadPolicyBundle } from '../policy/policy-bundle.js';
import type { AuditStore } from '../store/audit-store.js';
import { composeAuditWritePath } from '../store/compose-audit-write-path.js';
import { FileSubjectKeyStore } from './file-subject-key-store.js';
import { FileKeyEncryptionKey } from './key-encryption-key.js';
import { MaskPolicy } from './mask-policy.js';
import { MaskingAuditLog } from './masking-audit-log.js';
import { OriginalSealer } from './original-sealer.js';

export type AuditPrivacySettings = Pick<Settings, 'privacy' | 'dataDir'> & {
  readonly policy: Pick<Settings['policy'], 'bundleDir'>;
};

/** Where the subject data keys live when `POLICY_GATEWAY_SUBJECT_KEYS_DIR` is unset. */
export const DEFAULT_SUBJECT_KEYS_DIR = 'subject-keys';

/** The sealer the settings ask for, or null when originals are not kept. */
export function originalSealerOf(settings: AuditPrivacySettings): OriginalSealer | null {
  if (settings.privacy.sealOriginals === 'off') return null;
  const kek =
    settings.privacy.kekFile === undefined
      ? FileKeyEncryptionKey.inDataDir(settings.dataDir)
      : FileKeyEncryptionKey.fromFile(settings.privacy.kekFile);
  const keysDir = settings.privacy.keysDir ?? path.join(settings.dataDir, DEFAULT_SUBJECT_KEYS_DIR);
  return new OriginalSealer(new FileSubjectKeyStore(keysDir), kek);
}

/**
 * `store` with masking (and sealing) as the outermost step of its write path; `store` itself
 * when masking is off.
 *
 * @example
 * const store = await withAuditPrivacy(await openAuditStore(settings.store, log, chain), settings, log);
 */
export async function withAuditPrivacy(
  store: AuditStore,
  settings: AuditPrivacySettings,
  log: { warn(object: object, message: string): void },
): Promise<AuditStore> {
  if (settings.privacy.masking === 'off') return store;
  const policy = MaskPolicy.fromBundle(await loadPolicyBundle(settings.policy.bundleDir));
  const sealer = originalSealerOf(settings);
  return composeAuditWritePath(store, [
    (inner) => new MaskingAuditLog(inner, { policy, sealer, log }),
  ]);
}
