/**
 * The half of `appendMany` that does not depend on the storage: it checks each entry,
 * sets aside those whose id, or held idempotency key, comes earlier in the same batch, and
 * turns what the storage then did into one outcome per entry. Every adapter goes through it, so a batch ends
 * the same way on each of them.
 */

import type { AppendManyResult, AppendOutcome } from './append-many-result.js';
import { AtomicBatchRefusedError } from './atomic-batch-refused-error.js';
import type { AuditLogEntry } from './audit-log-entry.js';
import { DuplicateAuditLogEntryError } from './duplicate-audit-log-entry-error.js';
import { DuplicateIdempotencyKeyError } from './duplicate-idempotency-key-error.js';
import { heldIdempotencyKey } from './held-idempotency-key.js';
import { InvalidAuditLogEntryError } from './invalid-audit-log-entry-error.js';
import { isKnownStorable } from './known-storable-entries.js';
import { toStorableAuditLogEntry } from './storable-audit-log-entry.js';

/** Where each entry given stands before the write: settled already, or waiting on it. */
type Slot =
  | { readonly kind: 'settled'; readonly outcome: AppendOutcome }
  /**
   * The first valid entry with its id (and held key): the write stores it unless the id,
   * or the key, is stored.
   */
  | { readonly kind: 'written'; readonly id: string; readonly entry: AuditLogEntry }
  /** A later entry with the id of an earlier one in the batch. */
  | { readonly kind: 'repeated'; readonly id: string; readonly canonicalId: string }
  /** A later entry holding the idempotency key an earlier one in the batch holds. */
  | { readonly kind: 'repeated-key'; readonly id: string; readonly entry: AuditLogEntry };

/**
 * @example
 * const batch = new PreparedAuditLogBatch(entries);
 * try {
 *   const inserted = await insertIgnoringDuplicateIds(batch.storable); // one transaction
 *   return batch.committed(inserted);
 * } catch (error) {
 *   return batch.failed(error);
 * }
 */
export class PreparedAuditLogBatch {
  /** What to write: the canonical form of each valid entry whose id is new to the batch. */
  readonly storable: readonly AuditLogEntry[];
  readonly #slots: readonly Slot[];

  constructor(entries: readonly AuditLogEntry[]) {
    const storable: AuditLogEntry[] = [];
    const seen = new Set<string>();
    const seenKeys = new Set<string>();
    this.#slots = entries.map((entry): Slot => {
      let canonical: AuditLogEntry;
      try {
        canonical = isKnownStorable(entry) ? entry : toStorableAuditLogEntry(entry);
      } catch (error) {
        if (!(error instanceof InvalidAuditLogEntryError)) throw error;
        return { kind: 'settled', outcome: { id: entry.id, status: 'invalid', error } };
      }
      if (seen.has(canonical.id)) {
        return { kind: 'repeated', id: entry.id, canonicalId: canonical.id };
      }
      const key = heldIdempotencyKey(canonical);
      if (key !== undefined) {
        if (seenKeys.has(key)) return { kind: 'repeated-key', id: entry.id, entry: canonical };
        seenKeys.add(key);
      }
      seen.add(canonical.id);
      storable.push(canonical);
      return { kind: 'written', id: entry.id, entry: canonical };
    });
    this.storable = storable;
  }

  /**
   * The result once the write of `storable` committed.
   * @param inserted the canonical ids the write stored; the others were stored already.
   * @param keyTaken of the others, those not stored because their user already had an entry
   *   holding their idempotency key (rather than their id).
   */
  committed(
    inserted: ReadonlySet<string>,
    keyTaken: ReadonlySet<string> = new Set(),
  ): AppendManyResult {
    return {
      results: this.#slots.map((slot): AppendOutcome => {
        if (slot.kind === 'settled') return slot.outcome;
        if (slot.kind === 'repeated') {
          return duplicate(slot.id, new DuplicateAuditLogEntryError(slot.canonicalId));
        }
        const { entry } = slot;
        if (slot.kind === 'written' && inserted.has(entry.id)) {
          return { id: slot.id, status: 'committed' };
        }
        if (slot.kind === 'repeated-key' || keyTaken.has(entry.id)) {
          return duplicate(slot.id, duplicateKeyError(entry));
        }
        return duplicate(slot.id, new DuplicateAuditLogEntryError(entry.id));
      }),
    };
  }

  /**
   * Whether the batch can be committed whole: no entry is invalid and none repeats an id or
   * a held key of an earlier one. An all-or-nothing batch is refused before the write when not.
   */
  get storableWhole(): boolean {
    return this.#slots.every((slot) => slot.kind === 'written');
  }

  /**
   * The result of an all-or-nothing batch that was not committed because some entries could
   * not be stored: those of `stored` (the canonical ids whose id was already stored) and of
   * `keyTaken` (whose user's key was held) are duplicates, invalid and repeated entries are
   * reported as such, and every other entry failed with an `AtomicBatchRefusedError`.
   */
  refused(
    stored: ReadonlySet<string> = new Set(),
    keyTaken: ReadonlySet<string> = new Set(),
  ): AppendManyResult {
    const outcomes: (AppendOutcome | undefined)[] = this.#slots.map((slot) => {
      if (slot.kind === 'settled') return slot.outcome;
      if (slot.kind === 'repeated') {
        return duplicate(slot.id, new DuplicateAuditLogEntryError(slot.canonicalId));
      }
      if (slot.kind === 'repeated-key' || keyTaken.has(slot.entry.id)) {
        return duplicate(slot.id, duplicateKeyError(slot.entry));
      }
      if (stored.has(slot.entry.id)) {
        return duplicate(slot.id, new DuplicateAuditLogEntryError(slot.entry.id));
      }
      return undefined;
    });
    const error = new AtomicBatchRefusedError(
      outcomes.flatMap((outcome) => (outcome === undefined ? [] : [outcome.id])),
    );
    return {
      results: outcomes.map((outcome, index): AppendOutcome => {
        if (outcome !== undefined) return outcome;
        const slot = this.#slots[index]!;
        return { id: slot.kind === 'settled' ? slot.outcome.id : slot.id, status: 'failed', error };
      }),
      error,
    };
  }

  /**
   * The result when the write failed and committed nothing: every entry that was not
   * invalid failed, repeated ids included (whether they would have been duplicates of a
   * stored entry is unknown).
   */
  failed(error: unknown): AppendManyResult {
    return {
      results: this.#slots.map(
        (slot): AppendOutcome =>
          slot.kind === 'settled' ? slot.outcome : { id: slot.id, status: 'failed', error },
      ),
      error,
    };
  }
}

function duplicate(id: string, error: DuplicateAuditLogEntryError): AppendOutcome {
  return { id, status: 'duplicate', error };
}

/** The error of an entry not stored because its user's key was held (it holds one). */
export function duplicateKeyError(entry: AuditLogEntry): DuplicateIdempotencyKeyError {
  return new DuplicateIdempotencyKeyError(entry.id, entry.userId, entry.idempotencyKey ?? '');
}
