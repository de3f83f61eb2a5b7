/**
 * Stores the entries of one OPA decision-log upload exactly once: the batch is written
 * all-or-nothing (`appendMany` with `atomic`), and entries the trail already holds (the same
 * events uploaded before: OPA retries a batch it got no 2xx for, and the entry ids are
 * derived from the events) are set aside and the rest written again, so that a retried
 * batch adds only what the first attempt did not commit. Resolves only once everything new
 * is committed; rejects, with nothing of the batch committed by this call, when the store
 * cannot take it, so that the caller answers in a way that makes OPA keep and retry it.
 */
import {
  type AppendOutcome,
  AtomicBatchRefusedError,
  type AuditLogEntry,
  type AuditLogEntryRepository,
  type InvalidAuditLogEntryError,
} from '@policy-gateway/governance-runtime';

export interface IngestedBatch {
  /** Entries this call committed. */
  readonly stored: number;
  /** Entries the trail already held (an earlier upload of the same events). */
  readonly alreadyStored: number;
}

/** An entry no store could keep (e.g. U+0000 in its input): `index` is its place in the batch. */
export class UnstorableDecisionLogEventError extends Error {
  override readonly name = 'UnstorableDecisionLogEventError';
  constructor(
    readonly index: number,
    override readonly cause: InvalidAuditLogEntryError,
  ) {
    super(`event [${index}] cannot be stored: ${cause.message}`);
  }
}

/**
 * @throws UnstorableDecisionLogEventError when an entry is invalid (nothing is committed);
 *   the storage's error (queue full, unreachable, commit outcome unknown) when it failed.
 */
export async function ingestDecisionLogBatch(
  repository: AuditLogEntryRepository,
  entries: readonly AuditLogEntry[],
): Promise<IngestedBatch> {
  let pending = [...entries];
  let alreadyStored = 0;
  // Each round leaves out at least one entry, or ends: at most one round per entry.
  while (pending.length > 0) {
    const { results, error } = await repository.appendMany(pending, { atomic: true });
    if (error === undefined) return { stored: pending.length, alreadyStored };
    const invalid = results.findIndex((outcome) => outcome.status === 'invalid');
    if (invalid !== -1) {
      const outcome = results[invalid] as Extract<AppendOutcome, { status: 'invalid' }>;
      throw new UnstorableDecisionLogEventError(entries.indexOf(pending[invalid]!), outcome.error);
    }
    if (!(error instanceof AtomicBatchRefusedError)) throw error;
    const innocent = pending.filter((_, index) => results[index]?.status !== 'duplicate');
    alreadyStored += pending.length - innocent.length;
    if (innocent.length === pending.length) throw error;
    pending = innocent;
  }
  return { stored: 0, alreadyStored };
}
