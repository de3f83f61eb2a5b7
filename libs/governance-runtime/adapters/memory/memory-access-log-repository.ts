/**
 * The in-memory access log, beside the in-memory audit log and bounded like it: the oldest
 * records are dropped first (and counted), everything is lost on restart. Same checks,
 * ordering and keyset pagination as PostgreSQL (the contract suite holds both to that).
 */
import type { AccessLogPage, AccessLogQuery } from '../../src/access-log-query.js';
import type { AccessLogRecord } from '../../src/access-log-record.js';
import type { AccessLogRepository } from '../../src/access-log-repository.js';
import { encodeAuditLogCursor } from '../../src/audit-log-cursor.js';
import { DuplicateAccessLogRecordError } from '../../src/duplicate-access-log-record-error.js';
import { resolveAccessLogQuery } from '../../src/resolved-access-log-query.js';
import { toStorableAccessLogRecord } from '../../src/storable-access-log-record.js';

export interface MemoryAccessLogRepositoryOptions {
  /** How many records are kept; the oldest are dropped first. Default 1000. */
  readonly maxRecords?: number;
}

export class MemoryAccessLogRepository implements AccessLogRepository {
  readonly durable = false;
  readonly maxRecords: number;
  /** Oldest first by `(occurredAt, id)`, the reverse of the query order. */
  readonly #records: AccessLogRecord[] = [];
  readonly #ids = new Set<string>();
  #dropped = 0;
  #closed = false;

  constructor(options: MemoryAccessLogRepositoryOptions = {}) {
    const maxRecords = options.maxRecords ?? 1000;
    if (!Number.isInteger(maxRecords) || maxRecords < 1) {
      throw new RangeError(`maxRecords must be a positive integer, got ${maxRecords}`);
    }
    this.maxRecords = maxRecords;
  }

  /** How many records were dropped to respect `maxRecords` since construction. */
  get droppedCount(): number {
    return this.#dropped;
  }

  get size(): number {
    return this.#records.length;
  }

  async append(record: AccessLogRecord): Promise<void> {
    this.#assertOpen();
    const stored = deepFreeze(toStorableAccessLogRecord(record));
    if (this.#ids.has(stored.id)) throw new DuplicateAccessLogRecordError(stored.id);
    // Records nearly always arrive newest last, so search from the end.
    let index = this.#records.length;
    while (index > 0 && compareKeys(this.#records[index - 1]!, stored) > 0) index -= 1;
    this.#records.splice(index, 0, stored);
    this.#ids.add(stored.id);
    while (this.#records.length > this.maxRecords) {
      const oldest = this.#records.shift()!;
      this.#ids.delete(oldest.id);
      this.#dropped += 1;
    }
  }

  async query(query: AccessLogQuery): Promise<AccessLogPage> {
    this.#assertOpen();
    const q = resolveAccessLogQuery(query);
    let start = this.#records.length;
    if (q.after !== undefined) start = Math.min(start, this.#firstAtOrAbove(q.after));
    if (q.until !== undefined) {
      start = Math.min(start, this.#firstAtOrAbove({ occurredAt: q.until, id: '' }));
    }
    const page: AccessLogRecord[] = [];
    for (let index = start - 1; index >= 0; index -= 1) {
      const record = this.#records[index]!;
      if (q.since !== undefined && record.occurredAt < q.since) break;
      if (q.principalId !== undefined && record.principalId !== q.principalId) continue;
      if (q.route !== undefined && record.route !== q.route) continue;
      if (q.entryId !== undefined && !record.entryIds.includes(q.entryId)) continue;
      if (page.length === q.limit) {
        return { records: page, nextCursor: encodeAuditLogCursor(page[page.length - 1]!) };
      }
      page.push(record);
    }
    return { records: page, nextCursor: null };
  }

  async close(): Promise<void> {
    this.#closed = true;
  }

  /** The index of the first record whose key is not below `key` (binary search). */
  #firstAtOrAbove(key: RecordKey): number {
    let low = 0;
    let high = this.#records.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (compareKeys(this.#records[middle]!, key) < 0) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error('the memory access log repository is closed');
  }
}

interface RecordKey {
  readonly occurredAt: string;
  readonly id: string;
}

/** Orders by `(occurredAt, id)`; canonical timestamps and lower-case UUIDs compare as text. */
function compareKeys(a: RecordKey, b: RecordKey): number {
  if (a.occurredAt !== b.occurredAt) return a.occurredAt < b.occurredAt ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const item of Object.values(value)) deepFreeze(item);
  }
  return value;
}
