/**
 * The gateway's own verification of its audit trail, behind `GET /governance/audit/integrity`:
 * one verification at a time, run in the background when asked for, its progress and its last
 * result kept for the route. Bounded like the CLI's: the verifier streams the trail in small
 * batches (constant memory) and yields to requests between them; a second request while one
 * runs joins it rather than starting another, and closing the gateway stops it.
 */
import type { AuditIntegrity, AuditVerificationJson } from '@policy-gateway/gateway-contract';
import {
  type AuditTrailReader,
  type AuditTrailVerification,
  verifyAuditTrail,
} from '@policy-gateway/governance-runtime';
import type { Logger } from 'pino';

export class AuditIntegrityMonitor {
  readonly #reader: AuditTrailReader | undefined;
  readonly #log: Pick<Logger, 'info' | 'warn' | 'error'> | undefined;
  #last: AuditTrailVerification | null = null;
  #lastError: string | null = null;
  #running: { done: Promise<void>; abort: AbortController } | null = null;
  #progress: { entriesChecked: number; totalEntries: number } | null = null;

  constructor(reader: AuditTrailReader | undefined, log?: Pick<Logger, 'info' | 'warn' | 'error'>) {
    this.#reader = reader;
    this.#log = log;
  }

  /** Starts a verification unless one is running; resolves once it has started. */
  start(): void {
    const reader = this.#reader;
    if (reader === undefined || this.#running !== null) return;
    const abort = new AbortController();
    this.#progress = { entriesChecked: 0, totalEntries: 0 };
    const done = verifyAuditTrail(reader, {
      signal: abort.signal,
      progressEvery: 2000,
      onProgress: (p) => {
        this.#progress = { entriesChecked: p.entriesChecked, totalEntries: p.totalEntries };
      },
    }).then(
      (result) => {
        this.#last = result;
        this.#lastError = null;
        const log = result.intact ? this.#log?.info : this.#log?.error;
        log?.call(
          this.#log,
          { entriesChecked: result.entriesChecked, problems: result.problems },
          result.intact
            ? 'audit trail verified: intact'
            : 'audit trail verification found tampering',
        );
      },
      (error: unknown) => {
        if (abort.signal.aborted) return;
        this.#lastError = error instanceof Error ? error.message : String(error);
        this.#log?.warn({ err: error }, 'audit trail verification could not finish');
      },
    );
    this.#running = {
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
      last: this.#last === null ? null : toJson(this.#last),
      last_error: this.#lastError,
    };
  }

  async close(): Promise<void> {
    this.#running?.abort.abort();
    await this.settled();
  }
}

function toJson(result: AuditTrailVerification): AuditVerificationJson {
  return {
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
