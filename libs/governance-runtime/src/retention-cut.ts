/**
 * Where retention cut a chain, as far as its signed records can be believed: the verifier
 * starts a chain's walk after the last entry a valid record says was removed, linked to that
 * entry's hash, instead of at the genesis hash. A record that does not verify with a trusted
 * key is reported and vouches for nothing, so the prefix it claims stays `missing`.
 */
import type { KeyObject } from 'node:crypto';
import type { ProblemSink } from './audit-chain-walk.js';
import { type AuditRetentionRecord, retentionRecordProblem } from './audit-retention-record.js';

/** A chain's retention cut: seqs 1…`record.lastRemovedSeq` are gone, by `record`. */
export interface RetentionCut {
  readonly record: AuditRetentionRecord;
}

/**
 * The highest removal that a valid record of the chain vouches for, among those below
 * `firstStoredSeq` (a record whose partition is still there, because its DROP failed after it
 * was written, says nothing yet); undefined without one. Every record that cannot be trusted
 * is reported, whatever its seq.
 *
 * @param records the chain's records, highest removed seq first (as the reader gives them)
 * @param keyOf the trusted public key of a key id (the keys checkpoints are checked with)
 */
export function trustedRetentionCut(
  records: readonly AuditRetentionRecord[],
  firstStoredSeq: number | null,
  keyOf: (keyId: string) => KeyObject | undefined,
  report: ProblemSink,
): RetentionCut | undefined {
  let cut: RetentionCut | undefined;
  for (const record of records) {
    const key = keyOf(record.keyId);
    const problem = retentionRecordProblem(record, key);
    if (problem !== undefined) {
      report({
        kind: key === undefined ? 'unknown-key' : 'bad-signature',
        chainId: record.chainId,
        seq: record.lastRemovedSeq,
        message: `${problem}: it does not vouch for the removal of seqs 1–${record.lastRemovedSeq} of chain ${record.chainId}`,
      });
      continue;
    }
    const applies = firstStoredSeq === null || record.lastRemovedSeq < firstStoredSeq;
    if (cut === undefined && applies) cut = { record };
  }
  return cut;
}
