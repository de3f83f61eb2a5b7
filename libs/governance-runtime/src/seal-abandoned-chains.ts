/**
 * Sealing after recovery: a gateway killed without closing its chain (SIGKILL, a crash, a
 * lost node) leaves entries after its last checkpoint that nothing signed vouches for, so
 * deleting them would go unnoticed. At start-up the next gateway signs the head of each such
 * chain as it finds it (a `recovery` checkpoint naming the chain's last checkpoint), so that
 * from then on a truncated tail is detected like any other.
 *
 * Only chains whose writer is gone may be sealed: `whileAbandoned` tells (on a PostgreSQL server
 * shared by replicas, whether the chain's writer still holds its lock; on an embedded
 * database only one process ever writes, so every other chain is abandoned). Sealing a live
 * chain would do no harm to verification (a recovery checkpoint only vouches for the prefix it
 * names), but is avoided.
 */
import type { AuditCheckpointRepository } from './audit-checkpoint-repository.js';
import type { AuditSigningKey } from './audit-signing-key.js';
import type { StoredAuditCheckpoint } from './audit-trail-reader.js';
import { newAuditCheckpoint } from './new-audit-checkpoint.js';

export interface SealAbandonedChainsOptions {
  readonly repository: AuditCheckpointRepository;
  readonly key: AuditSigningKey;
  readonly instance: string;
  /** This process's own chain, never sealed here. */
  readonly ownChainId?: string;
  /**
   * Runs `seal` only while the chain's writer is known to be gone, holding off any other
   * process that would seal it at the same time (two sealing one chain would both name the
   * same previous checkpoint); undefined when the writer lives. Default: every chain is
   * abandoned, and one process seals.
   */
  readonly whileAbandoned?: <T>(chainId: string, seal: () => Promise<T>) => Promise<T | undefined>;
}

/** Signs a recovery checkpoint for each abandoned chain with an uncovered head; returns them. */
export async function sealAbandonedChains(
  options: SealAbandonedChainsOptions,
): Promise<StoredAuditCheckpoint[]> {
  const heads = await options.repository.unsealedChainHeads(options.ownChainId);
  const sealed: StoredAuditCheckpoint[] = [];
  for (const head of heads) {
    const seal = async (): Promise<StoredAuditCheckpoint | undefined> => {
      // Read again under the lock: another process may have sealed it meanwhile.
      const previous = await options.repository.latest(head.chainId);
      if (previous !== undefined && previous.seq >= head.seq) return undefined;
      const checkpoint = newAuditCheckpoint({
        head,
        previous,
        reason: 'recovery',
        instance: options.instance,
        key: options.key,
      });
      await options.repository.append(checkpoint);
      return checkpoint;
    };
    const checkpoint =
      options.whileAbandoned === undefined
        ? await seal()
        : await options.whileAbandoned(head.chainId, seal);
    if (checkpoint !== undefined) sealed.push(checkpoint);
  }
  return sealed;
}
