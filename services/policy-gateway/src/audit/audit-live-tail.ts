/**
 * One live tail of the audit trail (`GET /governance/audit/stream`): the entries committed
 * after a position that match the list's filters, as server-sent events, oldest first.
 *
 * It reads the trail with the list's own query (so a filter means exactly what it means in the
 * list) whenever the commit feed says something was committed, and at each heartbeat in case a
 * notice was lost. Entries are not committed in the order of their `occurred_at` (a decision is
 * stamped when made and committed a little later, by whichever replica made it), so each read
 * looks back `marginMs` before the newest position sent and skips the ids it already sent
 * there: an entry committed up to `marginMs` after a later one is still delivered, once.
 *
 * A client that does not keep up (more than `maxBufferedBytes` waiting to be sent) is ended,
 * to resume with `Last-Event-ID`; a resume further back than `backlogMax` entries gets an
 * `overflow` event instead (reload the list), then the entries from now on.
 */
import { Readable } from 'node:stream';
import { AUDIT_STREAM_ENTRY_EVENT, type AuditEntry } from '@policy-gateway/gateway-contract';
import { auditTimestampNow, toCanonicalAuditTimestamp } from '@policy-gateway/governance-runtime';
import type { FastifyBaseLogger } from 'fastify';
import type { AuditApiMapper, AuditQueryParams } from '../api/audit-api-mapper.js';
import type { AuditCommitFeed } from './audit-commit-feed.js';
import {
  type AuditStreamPosition,
  comparePositions,
  formatStreamPosition,
  positionOf,
} from './audit-stream-position.js';

export interface AuditLiveTailOptions {
  /** How far back each read looks for entries committed late, in ms. */
  readonly marginMs: number;
  /** How often a comment is sent to keep the connection (and proxies) awake, in ms. */
  readonly heartbeatMs: number;
  /** Entries a resume may catch up on before it is told to reload instead. */
  readonly backlogMax: number;
  /** Text waiting for a slow client before the stream is ended. */
  readonly maxBufferedBytes: number;
  /** What the client waits before reconnecting (the SSE `retry` field), in ms. */
  readonly retryMs: number;
  /**
   * Least time between two reads of the trail, in ms: on a busy trail commits are announced
   * every few ms, and each read covers the look-back window, so reads are spaced out.
   */
  readonly minReadIntervalMs: number;
}

export const AUDIT_LIVE_TAIL_DEFAULTS: AuditLiveTailOptions = Object.freeze({
  marginMs: 5000,
  heartbeatMs: 15_000,
  backlogMax: 1000,
  maxBufferedBytes: 4 * 1024 * 1024,
  retryMs: 3000,
  minReadIntervalMs: 200,
});

/** The list's filters, without its paging. */
export type AuditStreamFilters = Omit<AuditQueryParams, 'limit' | 'cursor'>;

const PAGE = 1000;

export class AuditLiveTail {
  readonly body: Readable;
  readonly #audit: AuditApiMapper;
  readonly #filters: AuditStreamFilters;
  readonly #options: AuditLiveTailOptions;
  readonly #log: FastifyBaseLogger;
  /** Ids sent (or known to the client) within the look-back window, with their time. */
  readonly #sent = new Map<string, string>();
  #newest: AuditStreamPosition;
  #reading = false;
  #lastRead = 0;
  #again = false;
  #closed = false;
  #unsubscribe: (() => void) | undefined;
  #heartbeat: NodeJS.Timeout | undefined;

  private constructor(
    audit: AuditApiMapper,
    filters: AuditStreamFilters,
    from: AuditStreamPosition,
    options: AuditLiveTailOptions,
    log: FastifyBaseLogger,
  ) {
    this.#audit = audit;
    this.#filters = filters;
    this.#newest = from;
    this.#options = options;
    this.#log = log;
    // Pushed to as entries come: nothing to pull, so `read` does nothing.
    this.body = new Readable({ read: () => undefined });
    this.body.on('close', () => this.close());
  }

  /**
   * Opens a tail from `from` (the client's `Last-Event-ID`), or from now. Rejects with the
   * list's problem for filters the store refuses, before anything is sent.
   */
  static async open(
    audit: AuditApiMapper,
    feed: AuditCommitFeed,
    filters: AuditStreamFilters,
    from: AuditStreamPosition | undefined,
    log: FastifyBaseLogger,
    options: AuditLiveTailOptions = AUDIT_LIVE_TAIL_DEFAULTS,
  ): Promise<AuditLiveTail> {
    const start = from ?? { occurredAt: auditTimestampNow(), id: '' };
    const tail = new AuditLiveTail(audit, filters, start, options, log);
    // What the client has: the window up to its position (all of it when it names none).
    tail.#prime(await tail.#window(), from);
    tail.body.push(`retry: ${options.retryMs}\n: live tail of the audit trail\n\n`);
    tail.#unsubscribe = feed.subscribe(() => tail.wake());
    tail.#heartbeat = setInterval(() => {
      tail.#write(': heartbeat\n\n');
      tail.wake();
    }, options.heartbeatMs);
    tail.#heartbeat.unref();
    // Entries after a resumed position are the backlog: send them now.
    if (from !== undefined) tail.wake();
    return tail;
  }

  /** Something may have been committed: read what is new (once more, if already reading). */
  wake(): void {
    if (this.#closed) return;
    if (this.#reading) {
      this.#again = true;
      return;
    }
    this.#reading = true;
    const wait = this.#lastRead + this.#options.minReadIntervalMs - Date.now();
    const read = () =>
      void this.#readNew().finally(() => {
        this.#reading = false;
        this.#lastRead = Date.now();
        if (this.#again) {
          this.#again = false;
          this.wake();
        }
      });
    if (wait > 0) setTimeout(read, wait).unref();
    else read();
  }

  /** Ends the stream (the client went away, or the gateway is closing). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#unsubscribe?.();
    clearInterval(this.#heartbeat);
    this.body.push(null);
  }

  get closed(): boolean {
    return this.#closed;
  }

  async #readNew(): Promise<void> {
    let fresh: AuditEntry[];
    try {
      fresh = (await this.#window()).filter((entry) => !this.#sent.has(entry.id));
    } catch (error) {
      // The next notice or heartbeat reads again; the client keeps its connection.
      this.#log.warn({ err: error }, 'a live tail could not read the audit trail; retrying');
      return;
    }
    if (this.#closed) return;
    if (fresh.length > this.#options.backlogMax) {
      this.#write(`event: overflow\ndata: {"entries":${fresh.length}}\n\n`);
      this.#newest = { occurredAt: auditTimestampNow(), id: '' };
      this.#sent.clear();
      this.#prime(await this.#window().catch(() => []), undefined);
      return;
    }
    fresh.sort((a, b) => comparePositions(positionOf(a), positionOf(b)));
    for (const entry of fresh) {
      this.#write(
        `event: ${AUDIT_STREAM_ENTRY_EVENT}\nid: ${formatStreamPosition(positionOf(entry))}\ndata: ${JSON.stringify(entry)}\n\n`,
      );
    }
    this.#remember(fresh);
  }

  /**
   * The entries matching the filters from `marginMs` before the newest position on, newest
   * first; at most `backlogMax + 1` beyond those already sent, enough to tell an overflow.
   */
  async #window(): Promise<AuditEntry[]> {
    const lookBack = this.#lookBack();
    const since =
      this.#filters.since !== undefined && Date.parse(this.#filters.since) > Date.parse(lookBack)
        ? this.#filters.since
        : lookBack;
    const entries: AuditEntry[] = [];
    let unsent = 0;
    let cursor: string | undefined;
    do {
      const page = await this.#audit.query({
        ...this.#filters,
        since,
        limit: PAGE,
        ...(cursor === undefined ? {} : { cursor }),
      });
      for (const entry of page.entries) {
        entries.push(entry);
        if (!this.#sent.has(entry.id)) unsent += 1;
      }
      cursor = page.next_cursor ?? undefined;
    } while (cursor !== undefined && unsent <= this.#options.backlogMax && !this.#closed);
    return entries;
  }

  /**
   * Notes what the client has when the tail opens: the window up to the position it resumes
   * from (the later entries are its backlog), or all of it when it names none.
   */
  #prime(entries: readonly AuditEntry[], from: AuditStreamPosition | undefined): void {
    for (const entry of entries) {
      if (from === undefined || comparePositions(positionOf(entry), from) <= 0) {
        this.#sent.set(entry.id, entry.occurred_at);
      }
    }
  }

  /** Notes entries as sent, moves the newest position on, and forgets what fell behind. */
  #remember(entries: readonly AuditEntry[]): void {
    for (const entry of entries) {
      this.#sent.set(entry.id, entry.occurred_at);
      if (comparePositions(positionOf(entry), this.#newest) > 0) this.#newest = positionOf(entry);
    }
    const horizon = this.#lookBack();
    for (const [id, occurredAt] of this.#sent) {
      if (occurredAt < horizon) this.#sent.delete(id);
    }
  }

  /** `marginMs` before the newest position, as a canonical timestamp. */
  #lookBack(): string {
    const time = new Date(Date.parse(this.#newest.occurredAt) - this.#options.marginMs);
    return toCanonicalAuditTimestamp(time.toISOString()) ?? this.#newest.occurredAt;
  }

  #write(text: string): void {
    if (this.#closed) return;
    if (this.body.readableLength > this.#options.maxBufferedBytes) {
      this.#log.info(
        'a live tail was ended: its client did not keep up (it resumes from its last event)',
      );
      this.close();
      return;
    }
    this.body.push(text);
  }
}
