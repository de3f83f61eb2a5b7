/**
 * The gateway's own verification of its audit trail, behind `GET /governance/audit/integrity`:
 * one verification at a time, run in the background when asked for (the route, or the
 * schedule of `audit-verification-schedule.ts`), its progress and its last result kept for the
 * route. Bounded like the CLI's: the verifier streams the trail in small batches (constant
 * memory) and yields to requests between them; a second request while one runs joins it rather
 * than starting another, and closing the gateway stops it. A verification is `full` (the whole
 * trail) or `incremental` (entries since a time, walked from the checkpoint before them); each
 * outcome is logged (a failure at error level) and told to the observer (metrics).
 */
import type { AuditIntegrity, AuditVerificationJson } from '@policy-gateway/gateway-contract';
import {
  type AuditTrailReader,
  type AuditTrailVerification,
  verifyAuditTrail,
} from '@policy-gateway/governance-runtime';
import type { Logger } from 'pino';

/** What a verification covered: the whole trail, or what was written since a time. */
export type AuditVerificationScope = 'full' | 'incremental';

/** How a verification ended: `failed` when it could not finish (the store did not answer). */
export type AuditVerificationOutcome = 'intact' | 'not-intact' | 'failed';

/** Told of every verification that ended (metrics). */
export type AuditVerificationObserver = (ended: {
  readonly scope: AuditVerificationScope;
  readonly outcome: AuditVerificationOutcome;
  readonly finishedAt: Date;
}) => void;

export interface AuditIntegrityMonitorOptions {
  readonly log?: Pick<Logger, 'info' | 'warn' | 'error'>;
  readonly observer?: AuditVerificationObserver;
}

export class AuditIntegrityMonitor {
  readonly #reader: AuditTrailReader | undefined;
  readonly #log: Pick<Logger, 'info' | 'warn' | 'error'> | undefined;
  readonly #observer: AuditVerificationObserver | undefined;
  #last: { result: AuditTrailVerification; scope: AuditVerificationScope } | null = null;
  #lastError: string | null = null;
  #running: {
    done: Promise<void>;
    abort: AbortController;
    scope: AuditVerificationScope;
  } | null = null;
  #progress: { entriesChecked: number; totalEntries: number } | null = null;
  #schedule: AuditIntegrity['schedule'];

  constructor(reader: AuditTrailReader | undefined, options: AuditIntegrityMonitorOptions = {}) {
    this.#reader = reader;
    this.#log = options.log;
    this.#observer = options.observer;
  }

  /** Whether there is a trail to verify (not a store opened without tamper evidence). */
  get available(): boolean {
    return this.#reader !== undefined;
  }

  /** The last verification that finished, and what it covered; null before the first. */
  get last(): {
    readonly result: AuditTrailVerification;
    readonly scope: AuditVerificationScope;
  } | null {
    return this.#last;
  }

  /** What the route says of the schedule (`AuditVerificationSchedule` keeps it current). */
  describeSchedule(schedule: AuditIntegrity['schedule']): void {
    this.#schedule = schedule;
  }

  /**
   * Starts a verification unless one is running (then it is the one that counts); returns at
   * once. `since`: only entries from then on, walked from the checkpoint before them.
   */
  start(options: { readonly since?: string } = {}): void {
    const reader = this.#reader;
    if (reader === undefined || this.#running !== null) return;
    const abort = new AbortController();
    const scope: AuditVerificationScope = options.since === undefined ? 'full' : 'incremental';
    this.#progress = { entriesChecked: 0, totalEntries: 0 };
    const done = verifyAuditTrail(reader, {
      ...(options.since !== undefined && { range: { since: options.since } }),
      signal: abort.signal,
      progressEvery: 2000,
      onProgress: (p) => {
        this.#progress = { entriesChecked: p.entriesChecked, totalEntries: p.totalEntries };
      },
    }).then(
      (result) => {
        this.#last = { result, scope };
        this.#lastError = null;
        const log = result.intact ? this.#log?.info : this.#log?.error;
        log?.call(
          this.#log,
          {
            scope,
            since: result.since,
            entriesChecked: result.entriesChecked,
            problems: result.problems,
          },
          result.intact
            ? `audit trail verified (${scope}): intact`
            : `audit trail verification (${scope}) found tampering: ${result.problems.map((p) => `${p.kind}: ${p.message}`).join('; ')}`,
        );
        this.#observer?.({
          scope,
          outcome: result.intact ? 'intact' : 'not-intact',
          finishedAt: new Date(result.finishedAt),
        });
      },
      (error: unknown) => {
        if (abort.signal.aborted) return;
        this.#lastError = error instanceof Error ? error.message : String(error);
        this.#log?.error({ err: error, scope }, 'audit trail verification could not finish');
        this.#observer?.({ scope, outcome: 'failed', finishedAt: new Date() });
      },
    );
    this.#running = {
      scope,
      abort,
      done: done.finally(() => {
        this.#running = null;
        this.#progress = null;
      }),
    };
  }

  /** Resolves when the verification in progress (if any) has ended. */
  async settled(): Promise<void> {
    await this.#running?.done;
  }

  status(): AuditIntegrity {
    return {
      available: this.#reader !== undefined,
      running: this.#running !== null,
      progress:
        this.#progress === null
          ? null
          : {
              entries_checked: this.#progress.entriesChecked,
              total_entries: this.#progress.totalEntries,
            },
      last: this.#last === null ? null : toJson(this.#last.result, this.#last.scope),
      last_error: this.#lastError,
      ...(this.#running !== null && { running_scope: this.#running.scope }),
      ...(this.#schedule !== undefined && { schedule: this.#schedule }),
    };
  }

  async close(): Promise<void> {
    this.#running?.abort.abort();
    await this.settled();
  }
}

function toJson(
  result: AuditTrailVerification,
  scope: AuditVerificationScope,
): AuditVerificationJson {
  return {
    scope,
    since: result.since,
    started_at: result.startedAt,
    finished_at: result.finishedAt,
    entries_checked: result.entriesChecked,
    chains: result.chains,
    checkpoints: result.checkpoints,
    intact: result.intact,
    problems: result.problems.map((p) => ({
      kind: p.kind,
      entry_id: p.entryId ?? null,
      chain_id: p.chainId ?? null,
      seq: p.seq ?? null,
      checkpoint_id: p.checkpointId ?? null,
      message: p.message,
    })),
    problem_counts: { ...result.problemCounts },
    failed_entry_ids: [...result.failedEntryIds],
    failed_entry_ids_truncated: result.failedEntryIdsTruncated,
    heads: result.heads.map((h) => ({
      chain_id: h.chainId,
      seq: h.seq,
      entry_hash: h.entryHash,
      entry_id: h.entryId,
      checkpoint_seq: h.checkpointSeq,
      final: h.final,
    })),
    retention: result.retention.map((r) => ({
      chain_id: r.chainId,
      removed_through_seq: r.removedThroughSeq,
      removed_at: r.removedAt,
      partition: r.partition,
      record_id: r.recordId,
      verified_through_seq: r.verifiedThroughSeq,
    })),
    entries_removed_by_retention: result.entriesRemovedByRetention,
  };
}
