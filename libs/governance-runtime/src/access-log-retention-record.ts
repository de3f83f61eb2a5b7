/**
 * A signed record that retention removed a month of the access log (who read the audit
 * trail): the partition named, the time it held, how many records went, when and by whom.
 * The access log has no hash chain to carry the removal, so this record is what lets an
 * auditor tell reads that expired under the retention setting from reads deleted any other
 * way. Signed like a chain's retention record (Ed25519 over the canonical JSON of the
 * payload, with the audit signing key).
 *
 * @example
 * const record = newAccessLogRetentionRecord({ partition, partitionFrom: null,
 *   partitionTo: '2027-01-01T00:00:00.000000Z', removedRows: 1200, removedBy: 'cli:ops', key });
 */
import type { KeyObject } from 'node:crypto';
import type { AuditSigningKey } from './audit-signing-key.js';
import { auditTimestampNow } from './audit-timestamp.js';
import { newAuditLogEntryId } from './new-audit-log-entry-id.js';
import { checkSignedPayload, type SignedPayload, signPayload } from './signed-record.js';

export interface AccessLogRetentionPayload {
  readonly v: 1;
  readonly kind: 'access-log-retention';
  readonly id: string;
  readonly partition: string;
  /** The time the partition held: from (inclusive; null for all time before) to (exclusive). */
  readonly partition_from: string | null;
  readonly partition_to: string;
  readonly removed_rows: number;
  readonly removed_at: string;
  readonly removed_by: string;
  readonly key_id: string;
}

export interface AccessLogRetentionRecord extends SignedPayload {
  readonly id: string;
  readonly partition: string;
  readonly partitionFrom: string | null;
  readonly partitionTo: string;
  readonly removedRows: number;
  readonly removedAt: string;
  readonly removedBy: string;
  readonly keyId: string;
}

export function newAccessLogRetentionRecord(options: {
  readonly partition: string;
  readonly partitionFrom: string | null;
  readonly partitionTo: string;
  readonly removedRows: number;
  readonly removedBy: string;
  readonly key: AuditSigningKey;
}): AccessLogRetentionRecord {
  const payload: AccessLogRetentionPayload = {
    v: 1,
    kind: 'access-log-retention',
    id: newAuditLogEntryId(),
    partition: options.partition,
    partition_from: options.partitionFrom,
    partition_to: options.partitionTo,
    removed_rows: options.removedRows,
    removed_at: auditTimestampNow(),
    removed_by: options.removedBy,
    key_id: options.key.keyId,
  };
  return {
    id: payload.id,
    partition: payload.partition,
    partitionFrom: payload.partition_from,
    partitionTo: payload.partition_to,
    removedRows: payload.removed_rows,
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
export function accessLogRetentionRecordProblem(
  record: AccessLogRetentionRecord,
  publicKey: KeyObject | undefined,
): string | undefined {
  const name = `access log retention record ${record.id}`;
  const checked = checkSignedPayload<AccessLogRetentionPayload>(record, publicKey, name);
  if ('problem' in checked) return checked.problem;
  const { payload } = checked;
  if (
    payload.kind !== 'access-log-retention' ||
    payload.id !== record.id ||
    payload.partition !== record.partition ||
    payload.partition_from !== record.partitionFrom ||
    payload.partition_to !== record.partitionTo ||
    payload.removed_rows !== record.removedRows ||
    payload.removed_at !== record.removedAt ||
    payload.removed_by !== record.removedBy ||
    payload.key_id !== record.keyId
  ) {
    return `${name}: its columns differ from the signed payload`;
  }
  return undefined;
}
