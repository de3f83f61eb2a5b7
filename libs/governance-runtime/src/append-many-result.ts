/**
 * What `appendMany` reports: one outcome per entry, in the order the entries were given,
 * the way Kysely's `Migrator` reports one result per migration instead of throwing
 * half-way. Each outcome carries the error `append` would have raised for that entry, so
 * a batch that gathers many callers' entries (group commit) can hand each caller its own.
 */
import type { DuplicateAuditLogEntryError } from './duplicate-audit-log-entry-error.js';
import type { InvalidAuditLogEntryError } from './invalid-audit-log-entry-error.js';

export type AppendOutcome =
  /** Stored by the batch's transaction, which has committed. */
  | { readonly id: string; readonly status: 'committed' }
  /**
   * Not stored: an entry with this id (in any letter case) was already stored, or comes
   * earlier in the same batch. The stored entry is left intact.
   */
  | {
      readonly id: string;
      readonly status: 'duplicate';
      readonly error: DuplicateAuditLogEntryError;
    }
  /** Not stored: no adapter could store it faithfully; `error.field` names the field. */
  | { readonly id: string; readonly status: 'invalid'; readonly error: InvalidAuditLogEntryError }
  /** Not stored: the batch's transaction failed, so nothing of the batch was committed. */
  | { readonly id: string; readonly status: 'failed'; readonly error: unknown };

export type AppendStatus = AppendOutcome['status'];

export interface AppendManyResult {
  /** One outcome per entry given, in the same order; `id` is the entry's id as given. */
  readonly results: readonly AppendOutcome[];
  /** The storage's error when the transaction failed; every `failed` outcome carries it. */
  readonly error?: unknown;
}
