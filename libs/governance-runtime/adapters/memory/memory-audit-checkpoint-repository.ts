/**
 * Checkpoints and signing keys of the memory store: kept as long as the process, like its
 * entries. A memory store starts empty, so it never holds an earlier process's chain to seal.
 */

import type {
  AuditCheckpointRepository,
  UnsealedChainHead,
} from '../../src/audit-checkpoint-repository.js';
import type { AuditPublicKey } from '../../src/audit-signing-key.js';
import type { StoredAuditCheckpoint } from '../../src/audit-trail-reader.js';

export class MemoryAuditCheckpointRepository implements AuditCheckpointRepository {
  readonly #keys = new Map<string, AuditPublicKey>();
  readonly #checkpoints: StoredAuditCheckpoint[] = [];

  async registerSigningKey(key: AuditPublicKey): Promise<void> {
    if (!this.#keys.has(key.keyId)) this.#keys.set(key.keyId, Object.freeze({ ...key }));
  }

  async signingKeys(): Promise<AuditPublicKey[]> {
    return [...this.#keys.values()];
  }

  async append(checkpoint: StoredAuditCheckpoint): Promise<void> {
    if (this.#checkpoints.some((c) => c.id === checkpoint.id)) {
      throw new Error(`checkpoint ${checkpoint.id} is already stored`);
    }
    this.#checkpoints.push(Object.freeze({ ...checkpoint }));
  }

  async checkpoints(chainId?: string): Promise<StoredAuditCheckpoint[]> {
    return this.#checkpoints
      .filter((c) => chainId === undefined || c.chainId === chainId)
      .sort(
        (a, b) =>
          a.chainId.localeCompare(b.chainId) ||
          a.seq - b.seq ||
          a.createdAt.localeCompare(b.createdAt),
      );
  }

  async latest(chainId: string): Promise<StoredAuditCheckpoint | undefined> {
    return (await this.checkpoints(chainId)).at(-1);
  }

  async unsealedChainHeads(): Promise<UnsealedChainHead[]> {
    return [];
  }
}
