/**
 * Raised by `append` when the storage cannot say whether the entry was committed: the
 * connection broke, or the client stopped waiting, after the entry may have reached the
 * database. Unlike the database's own errors (which mean nothing was committed), the entry
 * may be stored, or be stored a moment later. `CommitOutcomeResolver` finds out by reading
 * the entry back by its id; a caller that still gets this error must not tell its client
 * that nothing was recorded.
 */
export class CommitOutcomeUnknownError extends Error {
  override readonly name: string = 'CommitOutcomeUnknownError';

  constructor(
    /** The id of the entry whose commit is in doubt. */
    readonly id: string,
    options?: ErrorOptions,
  ) {
    const cause = options?.cause;
    const why = cause instanceof Error ? cause.message : String(cause ?? 'no answer');
    super(`whether audit entry ${id} was committed is unknown (${why})`, options);
  }
}
