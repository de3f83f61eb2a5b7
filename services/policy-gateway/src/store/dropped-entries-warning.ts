/**
 * A step of the memory store's write path that says in the log when entries were dropped
 * to stay within the bound: at the first drop, then at most once per interval while drops
 * go on, each time with the running count. Every dropped entry is counted; `/ready` shows
 * the count as `store.dropped_entries`.
 */
import {
  type AppendManyOptions,
  type AppendManyResult,
  type AuditLogEntry,
  type AuditLogEntryRepository,
  AuditLogEntryRepositoryDecorator,
} from '@policy-gateway/governance-runtime';
import type { MemoryAuditLogEntryRepository } from '@policy-gateway/governance-runtime/memory';
import type { Logger } from 'pino';

export interface DroppedEntriesWarningOptions {
  /** The memory repository whose drops are reported. */
  readonly counter: Pick<MemoryAuditLogEntryRepository, 'droppedCount' | 'maxEntries'>;
  readonly log: Pick<Logger, 'warn'>;
  /** The least time between two warnings, in ms. Default one minute. */
  readonly intervalMs?: number;
  /** The clock in ms; tests pass their own. */
  readonly now?: () => number;
}

export class DroppedEntriesWarning extends AuditLogEntryRepositoryDecorator {
  readonly #counter: DroppedEntriesWarningOptions['counter'];
  readonly #log: DroppedEntriesWarningOptions['log'];
  readonly #intervalMs: number;
  readonly #now: () => number;
  /** The count at the last warning. */
  #reported = 0;
  #lastWarningAt = Number.NEGATIVE_INFINITY;

  constructor(inner: AuditLogEntryRepository, options: DroppedEntriesWarningOptions) {
    super(inner);
    this.#counter = options.counter;
    this.#log = options.log;
    this.#intervalMs = options.intervalMs ?? 60_000;
    this.#now = options.now ?? Date.now;
  }

  override async append(entry: AuditLogEntry): Promise<void> {
    await super.append(entry);
    this.#warnOfNewDrops();
  }

  override async appendMany(
    entries: readonly AuditLogEntry[],
    options?: AppendManyOptions,
  ): Promise<AppendManyResult> {
    const result = await super.appendMany(entries, options);
    this.#warnOfNewDrops();
    return result;
  }

  #warnOfNewDrops(): void {
    const dropped = this.#counter.droppedCount;
    if (dropped === this.#reported) return;
    const now = this.#now();
    if (now - this.#lastWarningAt < this.#intervalMs) return;
    this.#log.warn(
      {
        droppedEntries: dropped,
        droppedSinceLastWarning: dropped - this.#reported,
        maxEntries: this.#counter.maxEntries,
      },
      `the memory audit store is full and drops its oldest entries: ${dropped} dropped so far (it keeps ${this.#counter.maxEntries}); set POLICY_GATEWAY_AUDIT_STORE_BACKEND=postgres or embedded to keep them all`,
    );
    this.#reported = dropped;
    this.#lastWarningAt = now;
  }
}
