/**
 * The key-encryption key (KEK) that wraps every subject's data key, so that the data keys can
 * be stored (`SubjectKeyStore`) without being readable from their store alone. The port is
 * what a cloud KMS adapter implements (wrap and unwrap by calling the KMS, the KEK never
 * leaving it); `FileKeyEncryptionKey` holds an AES-256 key read from a file (an operator's
 * file, a mounted Kubernetes Secret, or one generated into the data directory) and wraps with
 * AES Key Wrap (RFC 3394, `id-aes256-wrap` in node:crypto).
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface KeyEncryptionKey {
  /** Names the KEK in what it wrapped (a digest of the key, or a KMS key id), for rotation. */
  readonly id: string;
  wrap(dataKey: Buffer): Promise<Buffer>;
  /** Throws when `wrapped` was not wrapped by this KEK (the wrap's integrity check fails). */
  unwrap(wrapped: Buffer): Promise<Buffer>;
}

/** A KEK that cannot be read or made: names the file and why. */
export class KeyEncryptionKeyError extends Error {
  override readonly name = 'KeyEncryptionKeyError';
}

/** The RFC 3394 default initial value. */
const AES_KW_IV = Buffer.from('a6a6a6a6a6a6a6a6', 'hex');
const KEY_BYTES = 32;

/** Name of the KEK generated into the data directory when none is configured. */
export const GENERATED_KEK_FILE = 'subject-kek.key';

export class FileKeyEncryptionKey implements KeyEncryptionKey {
  readonly id: string;
  readonly #key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== KEY_BYTES) {
      throw new KeyEncryptionKeyError(
        `a key-encryption key is ${KEY_BYTES} bytes, got ${key.length}`,
      );
    }
    this.#key = key;
    this.id = `kek:${createHash('sha256').update(key).digest('hex').slice(0, 16)}`;
  }

  /**
   * Reads a KEK file: 32 bytes written as 64 hex digits or as base64 (a Kubernetes Secret
   * mounted as a file holds the decoded value), surrounding whitespace ignored.
   */
  static fromFile(file: string): FileKeyEncryptionKey {
    let text: string;
    try {
      text = readFileSync(file, 'utf8').trim();
    } catch (error) {
      throw new KeyEncryptionKeyError(
        `cannot read the key-encryption key ${file}: ${(error as Error).message}`,
      );
    }
    const key = /^[0-9a-fA-F]{64}$/.test(text)
      ? Buffer.from(text, 'hex')
      : Buffer.from(text, 'base64');
    if (key.length !== KEY_BYTES) {
      throw new KeyEncryptionKeyError(
        `the key-encryption key ${file} must hold ${KEY_BYTES} bytes as 64 hex digits or base64 (e.g. \`openssl rand -hex 32\`), got ${key.length} bytes`,
      );
    }
    return new FileKeyEncryptionKey(key);
  }

  /** The KEK in `dir`, generated there (mode 0600) on first use. */
  static inDataDir(dir: string): FileKeyEncryptionKey {
    const file = path.join(dir, GENERATED_KEK_FILE);
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      // `wx`: never overwrite a KEK, which would make every stored data key unreadable.
      writeFileSync(file, `${randomBytes(KEY_BYTES).toString('hex')}\n`, {
        flag: 'wx',
        mode: 0o600,
      });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new KeyEncryptionKeyError(
          `cannot generate the key-encryption key ${file}: ${(error as Error).message}`,
        );
      }
    }
    return FileKeyEncryptionKey.fromFile(file);
  }

  async wrap(dataKey: Buffer): Promise<Buffer> {
    const cipher = createCipheriv('id-aes256-wrap', this.#key, AES_KW_IV);
    return Buffer.concat([cipher.update(dataKey), cipher.final()]);
  }

  async unwrap(wrapped: Buffer): Promise<Buffer> {
    const decipher = createDecipheriv('id-aes256-wrap', this.#key, AES_KW_IV);
    try {
      return Buffer.concat([decipher.update(wrapped), decipher.final()]);
    } catch {
      throw new KeyEncryptionKeyError(
        `a data key was not wrapped by the key-encryption key ${this.id} (a different or rotated KEK)`,
      );
    }
  }
}
