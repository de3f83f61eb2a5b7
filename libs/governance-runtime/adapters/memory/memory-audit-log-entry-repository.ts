/**
 * The in-memory audit log: the gateway's legacy behaviour, bounded and lost on restart.
 * It runs the same checks, ordering and keyset pagination as PostgreSQL (the contract
 * suite holds both to that), so switching backends changes durability, nothing else.
 */
import type { AppendManyOptions } from '../../src/append-many-options.js';
import type { AppendManyResult } from '../../src/append-many-result.js';
import { encodeAuditLogCursor } from '../../src/audit-log-cursor.js';
import type { AuditLogEntry } from '../../src/audit-log-entry.js';
import type { AuditLogEntryRepository } from '../../src/audit-log-entry-repository.js';
import { auditLogEntrySize } from '../../src/audit-log-entry-size.js';
import type { AuditLogPage, AuditLogQuery } from '../../src/audit-log-query.js';
import { matchesShadowFilter } from '../../src/audit-shadow-decision.js';
import { DuplicateAuditLogEntryError } from '../../src/duplicate-audit-log-entry-error.js';
import { heldIdempotencyKey, idempotencyScope } from '../../src/held-idempotency-key.js';
import { duplicateKeyError, PreparedAuditLogBatch } from '../../src/prepared-audit-log-batch.js';
import { resolveAuditLogQuery } from '../../src/resolved-audit-log-query.js';
import { toStorableAuditLogEntry } from '../../src/storable-audit-log-entry.js';
import { SlidingWindow } from './sliding-window.js';

export interface MemoryAuditLogEntryRepositoryOptions {
  /** How many entries are kept; the oldest are dropped first. Default 1000. */
  readonly maxEntries?: number;
}

export class MemoryAuditLogEntryRepository implements AuditLogEntryRepository {
  readonly durable = false;
  readonly maxEntries: number;
  /** Oldest first by `(occurredAt, id)`, the reverse of the query order. */
  readonly #entries = new SlidingWindow<AuditLogEntry>();
  readonly #byId = new Map<string, AuditLogEntry>();
  /** The entry holding each user's idempotency key (`heldIdempotencyKey`), as PostgreSQL's unique index. */
  readonly #byKey = new Map<string, AuditLogEntry>();
  /**
   * Measured the first time a page budget weighs the entry, then remembered: a page budget must
   * not re-serialise every entry it weighs, and a write must not serialise its entry again for
   * a budget that most reads never set.
   */
  readonly #sizes = new WeakMap<AuditLogEntry, number>();
  #dropped = 0;
  #closed = false;

  constructor(options: MemoryAuditLogEntryRepositoryOptions = {}) {
    const maxEntries = options.maxEntries ?? 1000;
    if (!Number.isInteger(maxEntries) || maxEntries < 1) {
      throw new RangeError(`maxEntries must be a positive integer, got ${maxEntries}`);
    }
    this.maxEntries = maxEntries;
  }

  /** How many entries were dropped to respect `maxEntries` since construction. */
  get droppedCount(): number {
    return this.#dropped;
  }

  get size(): number {
    return this.#entries.length;
  }

  async append(entry: AuditLogEntry): Promise<void> {
    this.#assertOpen();
    // Deeply frozen: entries are facts, and a caller must not alter one it read.
    const stored = deepFreeze(toStorableAuditLogEntry(entry));
    if (this.#byId.has(stored.id)) throw new DuplicateAuditLogEntryError(stored.id);
    if (this.#holdsTakenKey(stored)) throw duplicateKeyError(stored);
    this.#insert(stored);
  }

  /**
   * Nothing can fail half-way in memory: entries are checked before any is inserted (all of
   * them against the store first, for an all-or-nothing batch). A batch larger than
   * `maxEntries` is committed and then drops its own oldest entries.
   */
  async appendMany(
    entries: readonly AuditLogEntry[],
    options: AppendManyOptions = {},
  ): Promise<AppendManyResult> {
    const batch = new PreparedAuditLogBatch(entries);
    if (this.#closed) return batch.failed(closedError());
    if (options.atomic === true) {
      if (!batch.storableWhole) return batch.refused();
      const stored = new Set(batch.storable.filter((e) => this.#byId.has(e.id)).map((e) => e.id));
      const keyTaken = new Set(
        batch.storable.filter((e) => this.#holdsTakenKey(e) && !stored.has(e.id)).map((e) => e.id),
      );
      if (stored.size > 0 || keyTaken.size > 0) return batch.refused(stored, keyTaken);
    }
    const inserted = new Set<string>();
    const keyTaken = new Set<string>();
    for (const entry of batch.storable) {
      if (this.#byId.has(entry.id)) continue;
      if (this.#holdsTakenKey(entry)) {
        keyTaken.add(entry.id);
        continue;
      }
      this.#insert(deepFreeze(entry));
      inserted.add(entry.id);
    }
    return batch.committed(inserted, keyTaken);
  }

  async findById(id: string): Promise<AuditLogEntry | undefined> {
    this.#assertOpen();
    return this.#byId.get(id.toLowerCase());
  }

  async findByIdempotencyKey(
    userId: string,
    idempotencyKey: string,
  ): Promise<AuditLogEntry | undefined> {
    this.#assertOpen();
    return this.#byKey.get(idempotencyScope(userId, idempotencyKey));
  }

  async query(query: AuditLogQuery): Promise<AuditLogPage> {
    this.#assertOpen();
    const q = resolveAuditLogQuery(query);
    const page: AuditLogEntry[] = [];
    // Start below the cursor and the upper time bound by binary search, so that walking a
    // large store page by page stays linear overall.
    let start = this.#entries.length;
    if (q.after !== undefined) start = Math.min(start, this.#firstAtOrAbove(q.after));
    if (q.until !== undefined) {
      start = Math.min(start, this.#firstAtOrAbove({ occurredAt: q.until, id: '' }));
    }
    let bytes = 0;
    for (let index = start - 1; index >= 0; index -= 1) {
      const entry = this.#entries.at(index)!;
      if (q.since !== undefined && entry.occurredAt < q.since) break;
      if (q.userId !== undefined && entry.userId !== q.userId) continue;
      if (q.decision !== undefined && entry.decision !== q.decision) continue;
      if (q.policyPath !== undefined && entry.policyPath !== q.policyPath) continue;
      if (q.decisionId !== undefined && entry.decisionId !== q.decisionId) continue;
      if (q.action !== undefined && entry.action !== q.action) continue;
      if (q.gatewayInstance !== undefined && entry.gatewayInstance !== q.gatewayInstance) continue;
      if (q.shadow !== undefined && !matchesShadowFilter(entry, q.shadow)) continue;
      const size = q.maxBytes === undefined ? 0 : this.#sizeOf(entry);
      const overBudget = q.maxBytes !== undefined && bytes + size > q.maxBytes;
      if (page.length === q.limit || (page.length > 0 && overBudget)) {
        const last = page[page.length - 1]!;
        return { entries: page, nextCursor: encodeAuditLogCursor(last) };
      }
      page.push(entry);
      bytes += size;
    }
    return { entries: page, nextCursor: null };
  }

  async close(): Promise<void> {
    this.#closed = true;
  }

  #insert(stored: AuditLogEntry): void {
    // Entries nearly always arrive newest last, so search from the end.
    let index = this.#entries.length;
    while (index > 0 && compareKeys(this.#entries.at(index - 1)!, stored) > 0) index -= 1;
    this.#entries.insert(index, stored);
    this.#byId.set(stored.id, stored);
    const key = heldIdempotencyKey(stored);
    if (key !== undefined) this.#byKey.set(key, stored);
    if (this.#entries.length <= this.maxEntries) return;
    for (const oldest of this.#entries.dropOldest(this.#entries.length - this.maxEntries)) {
      this.#byId.delete(oldest.id);
      // A dropped entry's key is forgotten with it: keys are honoured while their entry is kept.
      const oldestKey = heldIdempotencyKey(oldest);
      if (oldestKey !== undefined) this.#byKey.delete(oldestKey);
      this.#dropped += 1;
    }
  }

  #sizeOf(entry: AuditLogEntry): number {
    let size = this.#sizes.get(entry);
    if (size === undefined) {
      size = auditLogEntrySize(entry);
      this.#sizes.set(entry, size);
    }
    return size;
  }

  #holdsTakenKey(entry: AuditLogEntry): boolean {
    const key = heldIdempotencyKey(entry);
    return key !== undefined && this.#byKey.has(key);
  }

  /** The index of the first entry whose key is not below `key` (binary search). */
  #firstAtOrAbove(key: EntryKey): number {
    let low = 0;
    let high = this.#entries.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (compareKeys(this.#entries.at(middle)!, key) < 0) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  #assertOpen(): void {
    if (this.#closed) throw closedError();
  }
}

function closedError(): Error {
  return new Error('the memory audit log repository is closed');
}

/** Orders by `(occurredAt, id)`; canonical timestamps and lower-case UUIDs compare as text. */
interface EntryKey {
  readonly occurredAt: string;
  readonly id: string;
}

function compareKeys(a: EntryKey, b: EntryKey): number {
  if (a.occurredAt !== b.occurredAt) return a.occurredAt < b.occurredAt ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * Freezes an entry and everything in it. The entry itself is walked even when it is frozen
 * already: the hash chain freezes the entries it hands over at the top only (the values inside
 * are its own fresh copies), so stopping there left a stored entry's input and result open to
 * whoever read it. Below the top, a frozen value was frozen whole by this function.
 */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    Object.freeze(value);
    for (const item of Object.values(value)) freezeNested(item);
  }
  return value;
}

function freezeNested(value: unknown): void {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const item of Object.values(value)) freezeNested(item);
}
