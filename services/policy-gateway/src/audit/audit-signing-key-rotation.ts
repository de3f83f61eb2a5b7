/**
 * `policy-gateway audit rotate-key`: a new Ed25519 checkpoint signing key in place of the one
 * the gateway generated in its data directory. The gateway reads its key once, at start, so the
 * new key signs from the next start on (a running gateway keeps signing with the old one until
 * it is restarted). The old public key stays in the store's key table, where it was registered
 * when it first signed, so checkpoints it signed still verify; its private key is removed, as
 * a rotation after a leak needs. A key the operator gives (`POLICY_GATEWAY_AUDIT_SIGNING_KEY_FILE`,
 * e.g. a mounted Secret) is theirs to replace: the command says how and changes nothing.
 */
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type AuditSigningKey,
  auditSigningKeyFromPem,
  GENERATED_SIGNING_KEY_FILE,
  generateAuditSigningKey,
} from '@policy-gateway/governance-runtime';
import { UnusableSettingError } from '../config/unusable-setting-error.js';

export type SigningKeyRotation =
  | {
      readonly rotated: true;
      readonly path: string;
      readonly key: AuditSigningKey;
      /** The key id it replaced; null when there was none, or it could not be read. */
      readonly previousKeyId: string | null;
    }
  | {
      /** The key is the operator's file: nothing was changed, `message` says what to do. */
      readonly rotated: false;
      readonly message: string;
    };

/**
 * @example
 * const rotation = rotateAuditSigningKey({ keyFile: undefined, dataDir: '/var/lib/pgw' });
 * if (rotation.rotated) console.log(`now ${rotation.key.keyId}, was ${rotation.previousKeyId}`);
 */
export function rotateAuditSigningKey(options: {
  readonly keyFile: string | undefined;
  readonly dataDir: string;
}): SigningKeyRotation {
  if (options.keyFile !== undefined && options.keyFile !== '') {
    return {
      rotated: false,
      message: `the signing key comes from POLICY_GATEWAY_AUDIT_SIGNING_KEY_FILE (${options.keyFile}), which this command does not replace: make a new Ed25519 key elsewhere (openssl genpkey -algorithm ed25519 -out new-key.pem), point POLICY_GATEWAY_AUDIT_SIGNING_KEY_FILE at it (or replace the Secret it is mounted from) and restart the gateway; the old public key stays registered, so older checkpoints still verify`,
    };
  }
  const path = join(options.dataDir, GENERATED_SIGNING_KEY_FILE);
  const previousKeyId = keyIdIn(path);
  const { key, privateKeyPem } = generateAuditSigningKey();
  const temporary = `${path}.${process.pid}.rotate.tmp`;
  try {
    mkdirSync(options.dataDir, { recursive: true });
    // Written aside with mode 0600 and renamed over the old one: a gateway starting meanwhile
    // reads the old key or the new one, never half of either.
    writeFileSync(temporary, privateKeyPem, { mode: 0o600, flag: 'wx' });
    chmodSync(temporary, 0o600);
    renameSync(temporary, path);
  } catch (error) {
    throw new UnusableSettingError(
      ['POLICY_GATEWAY_DATA_DIR'],
      `cannot write the new audit signing key to ${path}: ${(error as Error).message}; the old key is unchanged`,
      { cause: error },
    );
  } finally {
    rmSync(temporary, { force: true });
  }
  return { rotated: true, path, key, previousKeyId };
}

function keyIdIn(path: string): string | null {
  try {
    return auditSigningKeyFromPem(readFileSync(path, 'utf8')).keyId;
  } catch {
    return null;
  }
}
