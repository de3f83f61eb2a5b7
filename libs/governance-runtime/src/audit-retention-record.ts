/**
 * A signed record that retention removed the start of a hash chain: every entry of the chain
 * up to `lastRemovedSeq`, the last of which hashed to `lastRemovedEntryHash`, went with the
 * partition named. Signed like a checkpoint (Ed25519 over the canonical JSON of the payload,
 * with the audit signing key), so that a verifier accepts a chain starting at
 * `lastRemovedSeq + 1` linked to that hash, and still reports a prefix deleted without one.
 */
import type { KeyObject } from 'node:crypto';
import type { AuditSigningKey } from './audit-signing-key.js';
import { auditTimestampNow } from './audit-timestamp.js';
import { newAuditLogEntryId } from './new-audit-log-entry-id.js';
import { checkSignedPayload, type SignedPayload, signPayload } from './signed-record.js';

export interface AuditRetentionPayload {
  readonly v: 1;
  readonly kind: 'retention';
  readonly id: string;
  readonly chain_id: string;
  readonly last_removed_seq: number;
  readonly last_removed_entry_hash: string;
  /** The partition dropped, and the end (exclusive) of the time it held. */
  readonly partition: string;
  readonly partition_to: string;
  readonly removed_at: string;
  readonly removed_by: string;
  readonly key_id: string;
}

export interface AuditRetentionRecord extends SignedPayload {
  readonly id: string;
  readonly chainId: string;
  readonly lastRemovedSeq: number;
  readonly lastRemovedEntryHash: string;
  readonly partition: string;
  readonly partitionTo: string;
  readonly removedAt: string;
  readonly removedBy: string;
  readonly keyId: string;
}

export function newAuditRetentionRecord(options: {
  readonly chainId: string;
  readonly lastRemovedSeq: number;
  readonly lastRemovedEntryHash: string;
  readonly partition: string;
  readonly partitionTo: string;
  readonly removedBy: string;
  readonly key: AuditSigningKey;
}): AuditRetentionRecord {
  const payload: AuditRetentionPayload = {
    v: 1,
    kind: 'retention',
    id: newAuditLogEntryId(),
    chain_id: options.chainId,
    last_removed_seq: options.lastRemovedSeq,
    last_removed_entry_hash: options.lastRemovedEntryHash,
    partition: options.partition,
    partition_to: options.partitionTo,
    removed_at: auditTimestampNow(),
    removed_by: options.removedBy,
    key_id: options.key.keyId,
  };
  return {
    id: payload.id,
    chainId: payload.chain_id,
    lastRemovedSeq: payload.last_removed_seq,
    lastRemovedEntryHash: payload.last_removed_entry_hash,
    partition: payload.partition,
    partitionTo: payload.partition_to,
    removedAt: payload.removed_at,
    removedBy: payload.removed_by,
    keyId: payload.key_id,
    ...signPayload(payload, options.key.privateKey),
  };
}

/**
 * Why `record` cannot be trusted (its signature, hash or columns disagree with its payload),
 * or undefined when it holds. `publicKey`: the stored public key of `record.keyId`.
 */
export function retentionRecordProblem(
  record: AuditRetentionRecord,
  publicKey: KeyObject | undefined,
): string | undefined {
  const checked = checkSignedPayload<AuditRetentionPayload>(
    record,
    publicKey,
    `retention record ${record.id}`,
  );
  if ('problem' in checked) return checked.problem;
  const { payload } = checked;
  if (
    payload.kind !== 'retention' ||
    payload.id !== record.id ||
    payload.chain_id !== record.chainId ||
    payload.last_removed_seq !== record.lastRemovedSeq ||
    payload.last_removed_entry_hash !== record.lastRemovedEntryHash ||
    payload.key_id !== record.keyId
  ) {
    return `retention record ${record.id}: its columns differ from the signed payload`;
  }
  return undefined;
}
