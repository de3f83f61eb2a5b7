/**
 * The one check every access-log adapter runs before storing a record, and the canonical form
 * it stores: lower-case ids, a canonical timestamp, `parameters` as PostgreSQL's `jsonb` gives
 * it back. Shared so that the memory store accepts exactly what the database would.
 */
import { ACCESS_LOG_MAX_ENTRY_IDS, type AccessLogRecord } from './access-log-record.js';
import { toCanonicalAuditTimestamp } from './audit-timestamp.js';
import { InvalidAccessLogRecordError } from './invalid-access-log-record-error.js';
import { isAuditLogEntryId } from './new-audit-log-entry-id.js';
import { findUnstorableString, UNSTORABLE_STRING_REASON } from './unstorable-string.js';

/**
 * Validates `record` and returns the canonical copy to store. Strings containing U+0000 or
 * unpaired surrogates are refused (PostgreSQL cannot store the first and would alter the
 * second): the caller replaces them in what a client sent before recording it.
 *
 * @throws InvalidAccessLogRecordError
 */
export function toStorableAccessLogRecord(record: AccessLogRecord): AccessLogRecord {
  const id = record.id.toLowerCase();
  if (!isAuditLogEntryId(id)) {
    throw new InvalidAccessLogRecordError('id', 'must be a UUID (UUIDv7 from newAuditLogEntryId)');
  }
  const occurredAt = toCanonicalAuditTimestamp(record.occurredAt);
  if (occurredAt === null) {
    throw new InvalidAccessLogRecordError('occurredAt', 'must be an RFC 3339 date-time');
  }
  for (const field of ['principalId', 'method', 'route', 'gatewayInstance'] as const) {
    if (typeof record[field] !== 'string' || record[field].length === 0) {
      throw new InvalidAccessLogRecordError(field, 'must be a non-empty string');
    }
  }
  if (!Number.isInteger(record.status) || record.status < 100 || record.status > 599) {
    throw new InvalidAccessLogRecordError('status', 'must be an HTTP status, 100 to 599');
  }
  const entryIds = checkedEntryIds(record.entryIds);
  if (!Number.isSafeInteger(record.entryCount) || record.entryCount < entryIds.length) {
    throw new InvalidAccessLogRecordError(
      'entryCount',
      'must be an integer no smaller than the number of entryIds',
    );
  }
  const canonical: AccessLogRecord = {
    id,
    occurredAt,
    principalId: record.principalId,
    method: record.method,
    route: record.route,
    parameters: jsonObject(record.parameters),
    status: record.status,
    entryCount: record.entryCount,
    entryIds,
    requestId: record.requestId,
    clientRequestId: record.clientRequestId,
    clientAddress: record.clientAddress,
    userAgent: record.userAgent,
    gatewayInstance: record.gatewayInstance,
  };
  for (const [field, value] of Object.entries(canonical)) checkStrings(value, field);
  return canonical;
}

function checkedEntryIds(ids: readonly string[]): readonly string[] {
  if (!Array.isArray(ids) || ids.length > ACCESS_LOG_MAX_ENTRY_IDS) {
    throw new InvalidAccessLogRecordError(
      'entryIds',
      `must be an array of at most ${ACCESS_LOG_MAX_ENTRY_IDS} UUIDs`,
    );
  }
  return ids.map((value, index) => {
    const id = typeof value === 'string' ? value.toLowerCase() : '';
    if (!isAuditLogEntryId(id)) {
      throw new InvalidAccessLogRecordError(`entryIds[${index}]`, 'must be a UUID');
    }
    return id;
  });
}

/** A copy through JSON text, as `jsonb` would keep it; an object at the top. */
function jsonObject(value: unknown): Readonly<Record<string, unknown>> {
  let copy: unknown;
  try {
    const text = JSON.stringify(value);
    copy = text === undefined ? undefined : JSON.parse(text);
  } catch (error) {
    throw new InvalidAccessLogRecordError('parameters', `is not JSON: ${(error as Error).message}`);
  }
  if (typeof copy !== 'object' || copy === null || Array.isArray(copy)) {
    throw new InvalidAccessLogRecordError('parameters', 'must be a JSON object');
  }
  return copy as Record<string, unknown>;
}

function checkStrings(value: unknown, field: string): void {
  const place = findUnstorableString(value, field);
  if (place !== undefined) throw new InvalidAccessLogRecordError(place, UNSTORABLE_STRING_REASON);
}
