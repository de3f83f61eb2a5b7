/**
 * A decorator on the audit write path that turns "the commit's outcome is unknown" into an
 * answer before the caller answers its own client. When the storage's `append` fails with
 * `CommitOutcomeUnknownError` (the connection broke, or the client stopped waiting, after
 * the INSERT may have reached the database), it reads the entry back by its id, which is
 * known before the INSERT: found, the entry is committed and `append` resolves; surely
 * absent, `append` rejects with the storage's own error, as for any failed write; when
 * even that cannot be found out in time, it rejects with the `CommitOutcomeUnknownError`.
 *
 * "Surely absent" needs a bound on how long the storage may still commit an entry after
 * the append began: `settleMs`. For a PostgreSQL server that is the client's query timeout,
 * which the opener keeps longer than the server's `statement_timeout`, so the server has
 * ended the statement (committed it or given up) before the client stops waiting. A read
 * that finds nothing counts as an answer only once it began after that bound; earlier, the
 * INSERT may still be waiting on the server (for a lock, say), and the resolver reads again.
 *
 * It sits next to the storage, below any decorator that batches or retries, because only
 * the storage's own errors say whether the outcome is unknown. An all-or-nothing `appendMany`
 * (`atomic`, as the hash chain writes) is resolved the same way through its first entry, since
 * the batch committed whole or not at all. Another `appendMany` is forwarded as it is: a batch
 * whose outcome is unknown is reported `failed` with the `CommitOutcomeUnknownError`, for its
 * caller to resolve.
 *
 * @example
 * const repository = new CommitOutcomeResolver(new PostgresAuditLogEntryRepository(db), {
 *   settleMs: statementTimeoutMs + POSTGRES_CLIENT_TIMEOUT_MARGIN_MS,
 * });
 */
import type { AppendManyOptions } from './append-many-options.js';
import type { AppendManyResult } from './append-many-result.js';
import type { AuditLogEntry } from './audit-log-entry.js';
import type { AuditLogEntryRepository } from './audit-log-entry-repository.js';
import { AuditLogEntryRepositoryDecorator } from './audit-log-entry-repository-decorator.js';
import { CommitOutcomeUnknownError } from './commit-outcome-unknown-error.js';
import { DuplicateAuditLogEntryError } from './duplicate-audit-log-entry-error.js';

export interface CommitOutcomeResolverOptions {
  /**
   * How long after an append began the storage may still commit it, in ms. Past it, an entry
   * that cannot be read back was not committed and never will be. 0 for storage that stops
   * working on a write when its caller does (PGlite, in the same process).
   */
  readonly settleMs: number;
  /** How long past `settleMs` (or past the failure, if later) reads are retried. Default 1000. */
  readonly graceMs?: number;
  /** The first pause between reads, doubled after each, up to 1 s. Default 50. */
  readonly initialDelayMs?: number;
}

/** What reading back an entry whose commit is in doubt found out. */
type ReadBack =
  | { readonly kind: 'stored'; readonly entry: AuditLogEntry }
  | { readonly kind: 'absent' }
  | { readonly kind: 'unknown' };

const MAX_DELAY_MS = 1000;

export class CommitOutcomeResolver extends AuditLogEntryRepositoryDecorator {
  readonly #settleMs: number;
  readonly #graceMs: number;
  readonly #initialDelayMs: number;

  constructor(inner: AuditLogEntryRepository, options: CommitOutcomeResolverOptions) {
    super(inner);
    this.#settleMs = options.settleMs;
    this.#graceMs = options.graceMs ?? 1000;
    this.#initialDelayMs = options.initialDelayMs ?? 50;
  }

  override async append(entry: AuditLogEntry): Promise<void> {
    const began = performance.now();
    try {
      await super.append(entry);
    } catch (error) {
      if (!(error instanceof CommitOutcomeUnknownError)) throw error;
      const found = await this.#readBack(error.id, began);
      if (found.kind === 'unknown') throw error;
      if (found.kind === 'absent') throw error.cause ?? error;
      // Ids are generated per entry, so the stored one is this one unless a caller reused
      // an id; then this append was a duplicate, and says so.
      if (found.entry.decisionId !== entry.decisionId || found.entry.userId !== entry.userId) {
        throw new DuplicateAuditLogEntryError(error.id, { cause: error });
      }
    }
  }

  override async appendMany(
    entries: readonly AuditLogEntry[],
    options: AppendManyOptions = {},
  ): Promise<AppendManyResult> {
    const began = performance.now();
    const result = await super.appendMany(entries, options);
    const { error } = result;
    if (options.atomic !== true || !(error instanceof CommitOutcomeUnknownError)) return result;
    const first = entries[0]!;
    const found = await this.#readBack(first.id.toLowerCase(), began);
    if (found.kind === 'unknown') return result;
    if (found.kind === 'stored' && found.entry.decisionId === first.decisionId) {
      return { results: result.results.map(({ id }) => ({ id, status: 'committed' })) };
    }
    const cause = found.kind === 'absent' ? (error.cause ?? error) : error;
    return {
      results: result.results.map((outcome) =>
        outcome.status === 'failed' ? { ...outcome, error: cause } : outcome,
      ),
      error: cause,
    };
  }

  async #readBack(id: string, began: number): Promise<ReadBack> {
    const settled = began + this.#settleMs;
    const giveUpAt = Math.max(performance.now(), settled) + this.#graceMs;
    let delay = this.#initialDelayMs;
    for (;;) {
      const readAt = performance.now();
      try {
        const entry = await this.inner.findById(id);
        if (entry !== undefined) return { kind: 'stored', entry };
        if (readAt >= settled) return { kind: 'absent' };
      } catch {
        // The storage is unreachable for reads too: keep trying until the bound.
      }
      const now = performance.now();
      if (now >= giveUpAt) return { kind: 'unknown' };
      // Never sleep past the moment a read would count as an answer, nor past the bound.
      const untilSettled = settled - now;
      const pause = Math.min(delay, giveUpAt - now, untilSettled > 0 ? untilSettled : delay);
      await sleep(pause);
      delay = Math.min(delay * 2, MAX_DELAY_MS);
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
