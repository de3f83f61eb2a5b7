/**
 * A proof of one audit entry: what an outside party needs to check, without the database,
 * that the entry is unchanged and in its place in a chain that a signed checkpoint vouches
 * for. It carries the entry's fields as hashed, the hash links from it to the nearest
 * checkpoint at or after it (each later entry only as its digest, prev hash and hash: no
 * other entry's content, so no other user's prompt), the checkpoint's signed payload and
 * signature, and the public key that signed it. `checkAuditEntryProof` checks one.
 */

import { auditEntryDigest, auditEntryDigestPreimage } from './audit-entry-hash.js';
import type { AuditLogEntry } from './audit-log-entry.js';
import type { AuditTrailReader } from './audit-trail-reader.js';

export const AUDIT_ENTRY_PROOF_FORMAT = 'policy-gateway/audit-entry-proof/v1';

/** Most links a proof carries; a checkpoint further away than this is not waited for. */
export const AUDIT_ENTRY_PROOF_MAX_LINKS = 10_000;

/** One hash link of the chain. */
export interface AuditProofLink {
  readonly seq: number;
  readonly prev_hash: string;
  /** Hex SHA-256 of the entry's canonical fields (the proven entry's is computed from them). */
  readonly entry_digest: string;
  readonly entry_hash: string;
}

export interface AuditEntryProof {
  readonly format: typeof AUDIT_ENTRY_PROOF_FORMAT;
  readonly entry_id: string;
  readonly chain_id: string;
  /** The entry's stored fields as they are hashed (snake_case, the chain link left out). */
  readonly entry: Readonly<Record<string, unknown>>;
  /** From the entry's own link to the checkpoint's seq, in seq order. */
  readonly links: readonly AuditProofLink[];
  readonly checkpoint: {
    readonly id: string;
    /** The canonical JSON that was signed. */
    readonly payload: string;
    /** Base64 Ed25519 signature over `payload`. */
    readonly signature: string;
  };
  /** The public key that signed the checkpoint, PEM; check it against one you trust. */
  readonly public_key: { readonly key_id: string; readonly pem: string } | null;
}

/** Why no proof can be made for an entry. */
export type AuditEntryProofRefusal =
  | { readonly reason: 'not-found'; readonly message: string }
  | { readonly reason: 'unchained' | 'unsealed' | 'too-far'; readonly message: string };

/**
 * Builds the proof of `entry` (as read from the store) from `reader`. Reads at most
 * `AUDIT_ENTRY_PROOF_MAX_LINKS` entries, one batch at a time, and keeps only their links.
 */
export async function buildAuditEntryProof(
  reader: AuditTrailReader,
  entry: AuditLogEntry,
  maxLinks: number = AUDIT_ENTRY_PROOF_MAX_LINKS,
): Promise<AuditEntryProof | AuditEntryProofRefusal> {
  const link = entry.chain;
  if (link === undefined) {
    return {
      reason: 'unchained',
      message: `entry ${entry.id} was written before tamper evidence: it has no chain to prove it by`,
    };
  }
  const checkpoint = await reader.checkpointAtOrAfter(link.chainId, link.seq);
  if (checkpoint === undefined) {
    return {
      reason: 'unsealed',
      message: `no checkpoint of chain ${link.chainId} covers seq ${link.seq} yet; ask again after the next checkpoint`,
    };
  }
  if (checkpoint.seq - link.seq + 1 > maxLinks) {
    return {
      reason: 'too-far',
      message: `the checkpoint that covers entry ${entry.id} is ${checkpoint.seq - link.seq} entries after it, more than the ${maxLinks} a proof carries`,
    };
  }
  const links: AuditProofLink[] = [
    {
      seq: link.seq,
      prev_hash: link.prevHash,
      entry_digest: auditEntryDigest(entry),
      entry_hash: link.entryHash,
    },
  ];
  if (checkpoint.seq > link.seq) {
    for await (const next of reader.entries(link.chainId, link.seq + 1, checkpoint.seq)) {
      const l = next.chain;
      if (l === undefined) continue;
      links.push({
        seq: l.seq,
        prev_hash: l.prevHash,
        entry_digest: auditEntryDigest(next),
        entry_hash: l.entryHash,
      });
    }
  }
  const key = (await reader.signingKeys()).find((k) => k.keyId === checkpoint.keyId);
  return {
    format: AUDIT_ENTRY_PROOF_FORMAT,
    entry_id: entry.id,
    chain_id: link.chainId,
    entry: JSON.parse(auditEntryDigestPreimage(entry)) as Record<string, unknown>,
    links,
    checkpoint: {
      id: checkpoint.id,
      payload: checkpoint.payload,
      signature: checkpoint.signature,
    },
    public_key: key === undefined ? null : { key_id: key.keyId, pem: key.publicKeyPem },
  };
}

export function isAuditEntryProofRefusal(
  value: AuditEntryProof | AuditEntryProofRefusal,
): value is AuditEntryProofRefusal {
  return 'reason' in value;
}
