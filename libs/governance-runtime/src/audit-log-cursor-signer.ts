/**
 * Signs audit page cursors, so that a reader of the log can tell a cursor it issued from one
 * that was altered or made up: an HMAC-SHA256 of the cursor under a secret key, appended to it.
 * A cursor only says where a page ended, so a forged one could reveal nothing a filter could
 * not; the signature is there so that an altered cursor is refused, as the API promises,
 * rather than silently read as another position.
 *
 * Every process that serves one audit trail must share the key: a cursor signed by one replica
 * is then accepted by all of them, and across restarts.
 */
import { createHmac, createSecretKey, type KeyObject, timingSafeEqual } from 'node:crypto';
import { InvalidCursorError } from './audit-log-cursor.js';

/** Bytes of the key at least: a shorter HMAC key would be weaker than the hash. */
export const AUDIT_LOG_CURSOR_KEY_MIN_BYTES = 32;

const SEPARATOR = '.';
/** Bytes of the HMAC kept: 128 bits are beyond guessing and keep cursors short. */
const TAG_BYTES = 16;
/** Longer than any cursor this library signs; longer input is refused before hashing. */
const MAX_SIGNED_LENGTH = 300;

export class AuditLogCursorSigner {
  readonly #key: KeyObject;

  /**
   * @example
   * const signer = new AuditLogCursorSigner(process.env.CURSOR_SECRET!);
   * const next = page.nextCursor === null ? null : signer.sign(page.nextCursor);
   * const cursor = signer.verify(next!); // the repository's cursor again
   */
  constructor(key: string | Uint8Array) {
    const bytes = typeof key === 'string' ? Buffer.from(key, 'utf8') : Buffer.from(key);
    if (bytes.length < AUDIT_LOG_CURSOR_KEY_MIN_BYTES) {
      throw new RangeError(
        `a cursor key needs at least ${AUDIT_LOG_CURSOR_KEY_MIN_BYTES} bytes, got ${bytes.length}`,
      );
    }
    this.#key = createSecretKey(bytes);
  }

  /** The cursor with its signature: still URL-safe text. */
  sign(cursor: string): string {
    return `${cursor}${SEPARATOR}${this.#tag(cursor).toString('base64url')}`;
  }

  /**
   * The cursor that was signed.
   *
   * @throws InvalidCursorError when `signed` is not a cursor this key signed, unaltered.
   */
  verify(signed: string): string {
    const at = signed.lastIndexOf(SEPARATOR);
    if (signed.length > MAX_SIGNED_LENGTH || at <= 0) {
      throw new InvalidCursorError('not a signed cursor');
    }
    const cursor = signed.slice(0, at);
    const tag = signed.slice(at + 1);
    const expected = this.#tag(cursor);
    const given = Buffer.from(tag, 'base64url');
    // base64url decoding skips what it cannot read; re-encoding must give the text back.
    if (
      given.toString('base64url') !== tag ||
      given.length !== expected.length ||
      !timingSafeEqual(given, expected)
    ) {
      throw new InvalidCursorError(
        'its signature does not match: altered, or signed with another key',
      );
    }
    return cursor;
  }

  #tag(cursor: string): Buffer {
    return createHmac('sha256', this.#key).update(cursor, 'utf8').digest().subarray(0, TAG_BYTES);
  }
}
