/**
 * The opaque keyset cursor of audit log pages: the position of the last entry returned,
 * `(occurredAt, id)`, as base64url. It carries a version tag so that its shape can
 * change without misreading cursors issued by an older build.
 */
import { isCanonicalAuditTimestamp } from './audit-timestamp.js';
import { InvalidAuditQueryError } from './invalid-audit-query-error.js';
import { isAuditLogEntryId } from './new-audit-log-entry-id.js';

/** Where a page ended; the next page holds entries strictly older than this. */
export interface AuditLogCursor {
  readonly occurredAt: string;
  readonly id: string;
}

/** A cursor that this library did not issue (garbled, truncated, or forged). */
export class InvalidCursorError extends InvalidAuditQueryError {
  override readonly name: string = 'InvalidCursorError';

  constructor(detail: string) {
    super(
      'cursor',
      `cursor is not valid (${detail}); pass the next_cursor of the previous page unchanged, or omit it to start from the newest entry`,
    );
  }
}

const VERSION = 'v1';
const SEPARATOR = '|';

export function encodeAuditLogCursor(cursor: AuditLogCursor): string {
  const text = [VERSION, cursor.occurredAt, cursor.id].join(SEPARATOR);
  return Buffer.from(text, 'utf8').toString('base64url');
}

/** @throws InvalidCursorError when `cursor` is not one `encodeAuditLogCursor` made. */
export function decodeAuditLogCursor(cursor: string): AuditLogCursor {
  if (cursor.length === 0 || cursor.length > 200 || !/^[A-Za-z0-9_-]+$/.test(cursor)) {
    throw new InvalidCursorError('not base64url text');
  }
  const parts = Buffer.from(cursor, 'base64url').toString('utf8').split(SEPARATOR);
  const [version, occurredAt, id] = parts;
  if (parts.length !== 3 || version !== VERSION || occurredAt === undefined || id === undefined) {
    throw new InvalidCursorError('unknown format');
  }
  if (!isCanonicalAuditTimestamp(occurredAt)) {
    throw new InvalidCursorError('bad timestamp');
  }
  if (!isAuditLogEntryId(id)) {
    throw new InvalidCursorError('bad entry id');
  }
  return { occurredAt, id };
}
