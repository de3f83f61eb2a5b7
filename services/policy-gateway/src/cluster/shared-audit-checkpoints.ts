/**
 * A worker's view of the checkpoints and signing keys kept by the primary beside the shared
 * memory store, so that every worker's chain is signed into one place and any worker can read
 * the whole trail back for the verifier (`SharedAuditTrailReader`).
 */
import type {
  AuditCheckpointRepository,
  AuditPublicKey,
  StoredAuditCheckpoint,
  UnsealedChainHead,
} from '@policy-gateway/governance-runtime';
import type { PrimaryCalls } from './primary-calls.js';

export class SharedAuditCheckpoints implements AuditCheckpointRepository {
  constructor(readonly calls: PrimaryCalls) {}
  registerSigningKey(key: AuditPublicKey, usedBy: string): Promise<void> {
    return this.calls.call('checkpoints', 'registerSigningKey', [key, usedBy]);
  }
  signingKeys(): Promise<AuditPublicKey[]> {
    return this.calls.call('checkpoints', 'signingKeys');
  }
  append(checkpoint: StoredAuditCheckpoint): Promise<void> {
    return this.calls.call('checkpoints', 'append', [checkpoint]);
  }
  checkpoints(chainId?: string): Promise<StoredAuditCheckpoint[]> {
    return this.calls.call('checkpoints', 'checkpoints', chainId === undefined ? [] : [chainId]);
  }
  latest(chainId: string): Promise<StoredAuditCheckpoint | undefined> {
    return this.calls.call('checkpoints', 'latest', [chainId]);
  }
  /** A memory store starts empty with its primary: there is never an earlier chain to seal. */
  async unsealedChainHeads(): Promise<UnsealedChainHead[]> {
    return [];
  }
}
