/**
 * A new signed checkpoint of a chain's head, as the checkpoint writer and the sealing after
 * recovery store it: the payload (`AuditCheckpointPayload`, the one layout every verifier
 * reads), signed by `signAuditCheckpoint`, with the columns that repeat its members.
 *
 * `reason`: `entries` (every N entries), `interval` (every T ms while entries are uncovered),
 * `final` (the writer closed its chain gracefully: no entry follows; `final` is true only
 * then), `recovery` (a later gateway process found the head of a chain whose writer is gone
 * not covered by any checkpoint, and signed it as it found it: "sealed after recovery").
 */
import { signAuditCheckpoint } from './audit-checkpoint-payload.js';
import type { AuditSigningKey } from './audit-signing-key.js';
import { auditTimestampNow } from './audit-timestamp.js';
import type { StoredAuditCheckpoint } from './audit-trail-reader.js';
import type { ChainHead } from './chain-head.js';
import { newAuditLogEntryId } from './new-audit-log-entry-id.js';

export const CHECKPOINT_REASONS = Object.freeze([
  'entries',
  'interval',
  'final',
  'recovery',
] as const);
export type CheckpointReason = (typeof CHECKPOINT_REASONS)[number];

export function newAuditCheckpoint(options: {
  readonly head: ChainHead;
  /** The chain's checkpoint before this one, if any. */
  readonly previous: Pick<StoredAuditCheckpoint, 'id' | 'checkpointHash'> | undefined;
  readonly reason: CheckpointReason;
  readonly instance: string;
  readonly key: AuditSigningKey;
}): StoredAuditCheckpoint {
  const { head, previous, reason, instance, key } = options;
  const fields = {
    id: newAuditLogEntryId(),
    chainId: head.chainId,
    seq: head.seq,
    entryHash: head.entryHash,
    prevCheckpointId: previous?.id ?? null,
    prevCheckpointHash: previous?.checkpointHash ?? null,
    keyId: key.keyId,
    createdAt: auditTimestampNow(),
    instance,
    reason,
    final: reason === 'final',
  };
  const signed = signAuditCheckpoint(
    {
      v: 1,
      id: fields.id,
      chain_id: fields.chainId,
      chain_seq: fields.seq,
      entry_hash: fields.entryHash,
      prev_checkpoint_id: fields.prevCheckpointId,
      prev_checkpoint_hash: fields.prevCheckpointHash,
      key_id: fields.keyId,
      created_at: fields.createdAt,
      instance: fields.instance,
      reason: fields.reason,
      final: fields.final,
    },
    key.privateKey,
  );
  return { ...fields, ...signed };
}
