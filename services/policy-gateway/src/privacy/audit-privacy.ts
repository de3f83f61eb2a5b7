/**
 * Privacy on the audit write path, from the settings: the masking step (`MaskingAuditLog`, the
 * outermost step, above the hash chain) and, when originals are sealed, the key-encryption key
 * and the subject key store it seals with. `withAuditPrivacy` wraps an opened store with it and
 * hands the routes what reads originals and erases subjects (`AuditStore.privacy`). The mask
 * policy is the policy engine's (`ActiveMaskPolicy`): the caller makes it follow its engine.
 */
import path from 'node:path';
import type { Settings } from '../config/settings.js';
import { UnusableSettingError } from '../config/unusable-setting-error.js';
import type { AuditStore } from '../store/audit-store.js';
import { type AuditWriteStep, composeAuditWritePath } from '../store/compose-audit-write-path.js';
import { ActiveMaskPolicy } from './active-mask-policy.js';
import { AuditHmacKey, AuditHmacKeyError, GENERATED_HMAC_KEY_FILE } from './audit-hmac-key.js';
import { FileSubjectKeyStore } from './file-subject-key-store.js';
import { FileKeyEncryptionKey, KeyEncryptionKeyError } from './key-encryption-key.js';
import { MaskingAuditLog } from './masking-audit-log.js';
import { OriginalSealer } from './original-sealer.js';
import { PostgresSubjectKeyStore } from './postgres-subject-key-store.js';
import { PseudonymisingAuditLog } from './pseudonymising-audit-log.js';
import { SubjectEraser } from './subject-erasure.js';
import type { SubjectKeyStore } from './subject-key-store.js';
import { UserIdPseudonyms } from './user-id-pseudonyms.js';

export type AuditPrivacySettings = Pick<Settings, 'privacy' | 'dataDir' | 'store'> & {
  readonly policy: Pick<Settings['policy'], 'bundleDir'>;
};

/**
 * What the routes read originals, erase subjects and key digests with; on `AuditStore.privacy`
 * whenever masking or sealing is on.
 */
export interface AuditPrivacy {
  /** Opens sealed originals with their subject's key; null when originals are not sealed. */
  readonly sealer: OriginalSealer | null;
  /** Destroys a subject's key and records it; null without a sealer or on the memory store. */
  readonly eraser: SubjectEraser | null;
  /** Keys the request digest stored with an idempotency key. */
  readonly hmacKey: AuditHmacKey;
  /**
   * The mask policy of entries not decided with their mask; null when masking is off. Make it
   * follow the engine the routes decide with (`follow(engine)`) before serving.
   */
  readonly maskPolicy: ActiveMaskPolicy | null;
}

/** The audit HMAC key the settings name, or the one generated in the data directory. */
export function auditHmacKeyOf(settings: AuditPrivacySettings): AuditHmacKey {
  const configured = settings.privacy.hmacKeyFile;
  try {
    return configured === undefined
      ? AuditHmacKey.load(path.join(settings.dataDir, GENERATED_HMAC_KEY_FILE), { generate: true })
      : AuditHmacKey.load(configured, { generate: false });
  } catch (error) {
    if (!(error instanceof AuditHmacKeyError)) throw error;
    throw new UnusableSettingError(
      ['POLICY_GATEWAY_AUDIT_HMAC_KEY_FILE', 'POLICY_GATEWAY_DATA_DIR'],
      error.message,
      { cause: error },
    );
  }
}

/** Pseudonyms for user ids when POLICY_GATEWAY_AUDIT_USER_IDS=hmac, else null. */
export function userIdPseudonymsOf(settings: AuditPrivacySettings): UserIdPseudonyms | null {
  return settings.privacy.userIds === 'hmac'
    ? new UserIdPseudonyms(auditHmacKeyOf(settings))
    : null;
}

/** Where the subject data keys live when `POLICY_GATEWAY_SUBJECT_KEYS` is unset. */
export const DEFAULT_SUBJECT_KEYS_DIR = 'subject-keys';

/**
 * The key store the settings name: files (the default, in the data directory) or a PostgreSQL
 * database, never the audit database itself.
 */
export function subjectKeyStoreOf(settings: AuditPrivacySettings): SubjectKeyStore {
  const location = settings.privacy.subjectKeys ?? {
    kind: 'file',
    dir: path.join(settings.dataDir, DEFAULT_SUBJECT_KEYS_DIR),
  };
  if (location.kind === 'file') return new FileSubjectKeyStore(location.dir);
  if (
    settings.store.backend === 'postgres' &&
    sameDatabase(location.url.url, settings.store.databaseUrl)
  ) {
    throw new UnusableSettingError(
      ['POLICY_GATEWAY_SUBJECT_KEYS', 'POLICY_GATEWAY_DATABASE_URL'],
      'POLICY_GATEWAY_SUBJECT_KEYS names the audit database: a restored backup of the trail would bring erased keys back; give the keys a database of their own',
    );
  }
  return new PostgresSubjectKeyStore({ url: location.url.url, redactedUrl: location.url.redacted });
}

/** Whether two PostgreSQL URLs name the same database on the same server. */
function sameDatabase(a: string, b: string): boolean {
  const [left, right] = [new URL(a), new URL(b)];
  return (
    left.hostname === right.hostname &&
    (left.port || '5432') === (right.port || '5432') &&
    left.pathname === right.pathname
  );
}

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
  return new OriginalSealer(subjectKeyStoreOf(settings), kek);
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
    const pseudonyms = userIdPseudonymsOf(settings);
    const steps: AuditWriteStep[] = [];
    const maskPolicy =
      settings.privacy.masking === 'on' ? new ActiveMaskPolicy(settings.policy.bundleDir) : null;
    if (maskPolicy !== null) {
      steps.push((inner) => new MaskingAuditLog(inner, { policy: maskPolicy, sealer, log }));
    }
    // Outermost: what masking seals carries the pseudonym too.
    if (pseudonyms !== null) steps.push((inner) => new PseudonymisingAuditLog(inner, pseudonyms));
    const masked = composeAuditWritePath(store, steps);
    if (sealer === null && steps.length === 0) return masked;
    return {
      ...masked,
      warnings: [...masked.warnings, ...sharedKeyWarnings(settings)],
      privacy: {
        sealer,
        eraser:
          sealer === null || store.db === undefined
            ? null
            : new SubjectEraser(sealer.keyStore, store.db, pseudonyms),
        hmacKey: auditHmacKeyOf(settings),
        maskPolicy,
      },
      close: async () => {
        try {
          await masked.close();
        } finally {
          await sealer?.keyStore.close();
        }
      },
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}

/**
 * On a shared PostgreSQL trail, a key generated in this process's data directory is this
 * replica's alone: originals it seals are unreadable by the others, and an idempotent retry that
 * reaches another replica is refused. Said at start-up; one replica alone can ignore it.
 */
function sharedKeyWarnings(settings: AuditPrivacySettings): string[] {
  if (settings.store.backend !== 'postgres') return [];
  const generated = [
    ...(settings.privacy.sealOriginals === 'on' && settings.privacy.kekFile === undefined
      ? ['POLICY_GATEWAY_SUBJECT_KEK_FILE']
      : []),
    ...(settings.privacy.hmacKeyFile === undefined ? ['POLICY_GATEWAY_AUDIT_HMAC_KEY_FILE'] : []),
  ];
  if (generated.length === 0) return [];
  return [
    `privacy keys are generated in POLICY_GATEWAY_DATA_DIR (${generated.join(', ')} unset): with more than one gateway on this database, give every replica the same files (e.g. from a Kubernetes Secret), or originals sealed by one cannot be read through another and idempotent retries reaching another replica are refused`,
  ];
}
