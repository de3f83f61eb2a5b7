/**
 * Builds the audit write path of a store: its repository wrapped by each step in turn, the
 * first step next to the storage and the last the one the routes call. `openAuditStore`
 * lists the steps of each backend, so the whole pipeline reads in one place.
 */
import type { AuditLogEntryRepository } from '@policy-gateway/governance-runtime';
import type { AuditStore } from './audit-store.js';

/** One step: wraps the repository below it, usually in an `AuditLogEntryRepositoryDecorator`. */
export type AuditWriteStep = (inner: AuditLogEntryRepository) => AuditLogEntryRepository;

/**
 * @example
 * composeAuditWritePath(store, [
 *   (inner) => new DroppedEntriesWarning(inner, { counter: memory, log }),
 *   (inner) => new GroupCommit(inner, { maxDelayMs: 2 }),
 * ]);
 */
export function composeAuditWritePath(
  store: AuditStore,
  steps: readonly AuditWriteStep[],
): AuditStore {
  if (steps.length === 0) return store;
  const repository = steps.reduce<AuditLogEntryRepository>(
    (inner, wrap) => wrap(inner),
    store.repository,
  );
  return {
    ...store,
    repository,
    // From the outermost step down (a batching step flushes what it holds), then whatever
    // else the store holds (a database). The storage's repository is closed again by the
    // store; closing twice is harmless for every adapter.
    close: async () => {
      await repository.close();
      await store.close();
    },
  };
}
