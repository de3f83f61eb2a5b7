/**
 * Why an entry of an all-or-nothing `appendMany` batch (`{ atomic: true }`) was not stored
 * although nothing was wrong with it: another entry of the batch was invalid or a duplicate,
 * so the whole batch was refused. Nothing of the batch was committed; the entry may be
 * written again, in a batch without the entries that caused the refusal.
 */
export class AtomicBatchRefusedError extends Error {
  override readonly name: string = 'AtomicBatchRefusedError';

  constructor(
    /** The ids (as given) of the entries that could not be stored. */
    readonly refusedIds: readonly string[],
  ) {
    super(
      `the all-or-nothing batch was not committed: ${refusedIds.length} of its entries could not be stored (${refusedIds.slice(0, 3).join(', ')}${refusedIds.length > 3 ? ', …' : ''})`,
    );
  }
}
