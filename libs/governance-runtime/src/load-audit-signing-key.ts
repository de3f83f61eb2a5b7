/**
 * Where the gateway's checkpoint signing key comes from: the PEM file an operator gives
 * (`POLICY_GATEWAY_AUDIT_SIGNING_KEY_FILE`, e.g. mounted from a Kubernetes Secret), or else a
 * key the gateway generates on first start into its data directory (`audit-signing-key.pem`,
 * mode 0600) and reads again on later starts. Rotating the key is giving another file (or
 * removing the generated one): the new key signs from then on, and the old public keys stay in
 * `audit_signing_keys`, so older checkpoints still verify.
 */
import { chmodSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type AuditSigningKey,
  auditSigningKeyFromPem,
  generateAuditSigningKey,
} from './audit-signing-key.js';

/** The generated key's file name in the data directory. */
export const GENERATED_SIGNING_KEY_FILE = 'audit-signing-key.pem';

export interface LoadedAuditSigningKey {
  readonly key: AuditSigningKey;
  /** `file`: the operator's; `generated`: made by the gateway in its data directory. */
  readonly source: 'file' | 'generated';
  readonly path: string;
  /** Whether this start generated it (rather than reading one generated before). */
  readonly generatedNow: boolean;
}

/** The signing key could not be read or made: one line saying which file and why. */
export class AuditSigningKeyError extends Error {
  override readonly name = 'AuditSigningKeyError';
}

export function loadAuditSigningKey(options: {
  /** The operator's PEM file; when unset, the generated key in `dataDir` (made if missing). */
  readonly keyFile?: string | undefined;
  readonly dataDir: string;
}): LoadedAuditSigningKey {
  if (options.keyFile !== undefined && options.keyFile !== '') {
    return {
      key: readKey(options.keyFile),
      source: 'file',
      path: options.keyFile,
      generatedNow: false,
    };
  }
  const path = join(options.dataDir, GENERATED_SIGNING_KEY_FILE);
  let pem: string | undefined;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new AuditSigningKeyError(
        `cannot read the audit signing key ${path}: ${(error as Error).message}`,
      );
    }
  }
  if (pem !== undefined)
    return { key: parse(pem, path), source: 'generated', path, generatedNow: false };
  const { key, privateKeyPem } = generateAuditSigningKey();
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    mkdirSync(options.dataDir, { recursive: true });
    // Written aside with mode 0600 and linked into place, so that no reader sees half a key,
    // no moment exists when the key is readable by others, and of two processes generating
    // at once the first to link wins and the other reads its key.
    writeFileSync(temporary, privateKeyPem, { mode: 0o600, flag: 'wx' });
    chmodSync(temporary, 0o600);
    try {
      linkSync(temporary, path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      return {
        key: parse(readFileSync(path, 'utf8'), path),
        source: 'generated',
        path,
        generatedNow: false,
      };
    } finally {
      rmSync(temporary, { force: true });
    }
  } catch (error) {
    throw new AuditSigningKeyError(
      `cannot write the generated audit signing key to ${path}: ${(error as Error).message}; set POLICY_GATEWAY_AUDIT_SIGNING_KEY_FILE or make POLICY_GATEWAY_DATA_DIR writable`,
    );
  }
  return { key, source: 'generated', path, generatedNow: true };
}

function readKey(path: string): AuditSigningKey {
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (error) {
    throw new AuditSigningKeyError(
      `cannot read the audit signing key ${path}: ${(error as Error).message}`,
    );
  }
  return parse(pem, path);
}

function parse(pem: string, path: string): AuditSigningKey {
  try {
    return auditSigningKeyFromPem(pem);
  } catch (error) {
    throw new AuditSigningKeyError(
      `the audit signing key ${path} is unusable: ${(error as Error).message}`,
    );
  }
}
