/**
 * Checks an `AuditEntryProof` offline: the entry's fields digest to its link, every link
 * hashes and follows the one before, the last is the head a checkpoint signed, and the
 * signature verifies with a public key whose id is the one the checkpoint names. Needs no
 * database and nothing of the gateway's but the proof (and, to trust the key, the exported
 * public keys: `policy-gateway audit public-key`).
 */
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { parseAuditCheckpointPayload } from './audit-checkpoint-payload.js';
import { auditLinkHash } from './audit-entry-hash.js';
import { AUDIT_ENTRY_PROOF_FORMAT, type AuditProofLink } from './audit-entry-proof.js';
import { checkpointCheck, publicKeysFromPem, type TrustedSigningKey } from './checkpoint-check.js';

export interface AuditEntryProofOutcome {
  readonly valid: boolean;
  /** A sentence: what was proven, or the first thing that does not hold. */
  readonly message: string;
}

/**
 * @param trusted keys to trust; without them, the key the proof carries is used and the
 *   message says so (compare its id with one you obtained elsewhere).
 */
export function checkAuditEntryProof(
  proof: unknown,
  trusted?: readonly TrustedSigningKey[],
): AuditEntryProofOutcome {
  const invalid = (message: string) => ({ valid: false, message });
  if (typeof proof !== 'object' || proof === null) return invalid('the proof is not a JSON object');
  const p = proof as Record<string, unknown>;
  if (p.format !== AUDIT_ENTRY_PROOF_FORMAT) {
    return invalid(`the proof's format is not ${AUDIT_ENTRY_PROOF_FORMAT}`);
  }
  const entry = p.entry;
  if (typeof entry !== 'object' || entry === null) return invalid('the proof has no entry');
  const entryId = (entry as Record<string, unknown>).id;
  if (typeof entryId !== 'string' || entryId !== p.entry_id) {
    return invalid("the entry's id is not the proof's entry_id");
  }
  const chainId = p.chain_id;
  if (typeof chainId !== 'string') return invalid('the proof has no chain_id');
  const links = p.links;
  if (!Array.isArray(links) || links.length === 0 || !links.every(isLink)) {
    return invalid('the proof has no well-formed links');
  }
  const text = canonicalize(entry);
  if (text === undefined) return invalid('the entry has no canonical JSON form');
  const digest = createHash('sha256').update(text, 'utf8').digest('hex');
  const first = links[0]!;
  if (digest !== first.entry_digest) {
    return invalid(
      `entry ${entryId} does not match its digest: its content differs from what was chained`,
    );
  }
  let previous: AuditProofLink | undefined;
  for (const link of links) {
    if (previous !== undefined) {
      if (link.seq !== previous.seq + 1)
        return invalid(`the links skip from seq ${previous.seq} to ${link.seq}`);
      if (link.prev_hash !== previous.entry_hash) {
        return invalid(`the link at seq ${link.seq} does not follow seq ${previous.seq}`);
      }
    }
    const hash = auditLinkHash(link.entry_digest, {
      chainId,
      seq: link.seq,
      prevHash: link.prev_hash,
    });
    if (hash !== link.entry_hash)
      return invalid(`the link at seq ${link.seq} does not hash as it says`);
    previous = link;
  }
  const last = links[links.length - 1]!;
  const checkpoint = p.checkpoint as Record<string, unknown> | undefined;
  if (
    typeof checkpoint?.payload !== 'string' ||
    typeof checkpoint.signature !== 'string' ||
    typeof checkpoint.id !== 'string'
  ) {
    return invalid('the proof has no signed checkpoint');
  }
  const payload = parseAuditCheckpointPayload(checkpoint.payload);
  if (typeof payload === 'string') return invalid(payload);
  if (
    payload.chain_id !== chainId ||
    payload.chain_seq !== last.seq ||
    payload.entry_hash !== last.entry_hash
  ) {
    return invalid(
      `checkpoint ${payload.id} signs seq ${payload.chain_seq} of chain ${payload.chain_id}, not the last link (seq ${last.seq})`,
    );
  }
  let keys: readonly TrustedSigningKey[];
  let source: string;
  if (trusted !== undefined) {
    keys = trusted;
    source = 'the trusted public keys';
  } else {
    const carried = p.public_key as Record<string, unknown> | null | undefined;
    if (typeof carried?.pem !== 'string') {
      return invalid('the proof carries no public key; give one to trust');
    }
    try {
      keys = publicKeysFromPem(carried.pem);
    } catch (error) {
      return invalid(`the proof's public key is unusable: ${(error as Error).message}`);
    }
    source = "the proof's own public key";
  }
  const outcome = checkpointCheck({ trusted: keys, source })({
    id: checkpoint.id,
    chainId: payload.chain_id,
    seq: payload.chain_seq,
    entryHash: payload.entry_hash,
    prevCheckpointId: payload.prev_checkpoint_id,
    prevCheckpointHash: payload.prev_checkpoint_hash,
    keyId: payload.key_id,
    createdAt: payload.created_at,
    instance: payload.instance,
    reason: payload.reason,
    final: payload.final,
    payload: checkpoint.payload,
    checkpointHash: createHash('sha256').update(checkpoint.payload, 'utf8').digest('hex'),
    signature: checkpoint.signature,
  });
  if (outcome.kind !== 'valid') return invalid(outcome.message);
  const keyNote =
    trusted === undefined
      ? ` with the key the proof carries (key_id ${payload.key_id}: compare it with the exported public key)`
      : ` with trusted key ${payload.key_id}`;
  return {
    valid: true,
    message: `entry ${entryId} is seq ${first.seq} of chain ${chainId}, unchanged, and vouched for by checkpoint ${payload.id} (seq ${payload.chain_seq}, signed ${payload.created_at})${keyNote}`,
  };
}

function isLink(value: unknown): value is AuditProofLink {
  if (typeof value !== 'object' || value === null) return false;
  const l = value as Record<string, unknown>;
  return (
    Number.isSafeInteger(l.seq) &&
    typeof l.prev_hash === 'string' &&
    typeof l.entry_digest === 'string' &&
    typeof l.entry_hash === 'string'
  );
}
