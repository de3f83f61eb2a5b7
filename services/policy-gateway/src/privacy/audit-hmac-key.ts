/**
 * The secret of the trail's keyed digests: the request digest stored with an idempotency key
 * (`hmac-sha256:`, so that a masked card number cannot be found again by hashing every
 * candidate) and, when asked for, the pseudonyms stored instead of user ids. One file of 32
 * random bytes (POLICY_GATEWAY_AUDIT_HMAC_KEY_FILE, or `audit-hmac.key` generated in the data
 * directory); each use gets its own subkey (HKDF-SHA256 with the use as `info`), so a digest of
 * one kind says nothing about another. Gateways sharing a database must share the file, or a
 * retry reaching another replica would not match, nor a user id filter find its entries.
 */
import { createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Name of the key generated into the data directory when none is configured. */
export const GENERATED_HMAC_KEY_FILE = 'audit-hmac.key';

const KEY_BYTES = 32;

/** What a keyed digest is for: each has its own subkey. */
export type AuditHmacUse = 'request-digest' | 'user-id';

/** A key file that cannot be read or made: names the file and why. */
export class AuditHmacKeyError extends Error {
  override readonly name = 'AuditHmacKeyError';
}

export class AuditHmacKey {
  readonly #subkeys: Readonly<Record<AuditHmacUse, Buffer>>;

  constructor(key: Buffer) {
    if (key.length < KEY_BYTES) {
      throw new AuditHmacKeyError(
        `an audit HMAC key is at least ${KEY_BYTES} bytes, got ${key.length}`,
      );
    }
    const subkey = (use: AuditHmacUse) =>
      Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), `policy-gateway/${use}/v1`, KEY_BYTES));
    this.#subkeys = Object.freeze({
      'request-digest': subkey('request-digest'),
      'user-id': subkey('user-id'),
    });
  }

  /** The key in `file` (64 hex digits or base64), or generated there (mode 0600) on first use. */
  static load(file: string, { generate }: { readonly generate: boolean }): AuditHmacKey {
    if (generate) {
      try {
        mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
        // `wx`: never overwrite a key, which would unlink every digest made with it.
        writeFileSync(file, `${randomBytes(KEY_BYTES).toString('hex')}\n`, {
          flag: 'wx',
          mode: 0o600,
        });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw new AuditHmacKeyError(
            `cannot generate the audit HMAC key ${file}: ${(error as Error).message}`,
          );
        }
      }
    }
    let text: string;
    try {
      text = readFileSync(file, 'utf8').trim();
    } catch (error) {
      throw new AuditHmacKeyError(
        `cannot read the audit HMAC key ${file}: ${(error as Error).message}`,
      );
    }
    const key =
      /^[0-9a-fA-F]+$/.test(text) && text.length % 2 === 0
        ? Buffer.from(text, 'hex')
        : Buffer.from(text, 'base64');
    if (key.length < KEY_BYTES) {
      throw new AuditHmacKeyError(
        `the audit HMAC key ${file} must hold at least ${KEY_BYTES} bytes as hex or base64 (e.g. \`openssl rand -hex 32\`), got ${key.length}`,
      );
    }
    return new AuditHmacKey(key);
  }

  /** The hex HMAC-SHA256 of `text` under the subkey of `use`. */
  digest(use: AuditHmacUse, text: string): string {
    return createHmac('sha256', this.#subkeys[use]).update(text, 'utf8').digest('hex');
  }
}
