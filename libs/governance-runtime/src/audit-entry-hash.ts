/**
 * The canonical hash of an audit entry: the one function the chain writer and every
 * verifier (the CLI, the integrity route, an outside party holding a proof) compute, so that
 * they cannot disagree.
 *
 * The preimage is the RFC 8785 canonical JSON (npm `canonicalize`) of
 *
 *     {"v":1,"chain_id":"<uuid>","chain_seq":<n>,"prev_hash":"<hex>","entry_digest":"<hex>"}
 *
 * where `entry_digest` is the hex SHA-256 of the RFC 8785 canonical JSON of the entry: an
 * object holding every stored field of the entry in its storable form
 * (`toStorableAuditLogEntry`) except `chain` itself, each top-level field named as its
 * column and as the HTTP API names it (snake_case: `decisionId` → `decision_id`); nested JSON
 * values (`input`, `result`, `reasons`, …) are as stored. Every field the entry has is
 * hashed, so a field added later is covered without a change here; a field that is null is
 * hashed as null. `entry_hash` is the lower-case hex SHA-256 of the preimage's UTF-8 bytes.
 *
 * The entry is digested on its own, rather than placed in the preimage, so that the links of
 * a chain can be checked without the entries' content: a proof of one entry
 * (`AuditEntryProof`) carries the digests of the entries between it and a signed checkpoint,
 * not their prompts.
 *
 * The first entry of a chain links to the chain's genesis hash: the hex SHA-256 of the
 * UTF-8 text `policy-gateway/chain/v1/<chain_id>`.
 *
 * @example
 * const storable = toStorableAuditLogEntry(entry);
 * const link = { chainId, seq: 1, prevHash: chainGenesisHash(chainId) };
 * const entryHash = auditEntryHash(storable, link);
 */
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { AuditChainLink } from './audit-chain-link.js';
import type { AuditLogEntry } from './audit-log-entry.js';

/** The version of the preimage's layout, `v` in it. */
export const AUDIT_ENTRY_HASH_VERSION = 1;

/** Where the entry is placed in its chain: everything of its link except its own hash. */
export type AuditChainPosition = Omit<AuditChainLink, 'entryHash'>;

/** The hex SHA-256 of `policy-gateway/chain/v1/<chainId>`: the `prevHash` of a chain's seq 1. */
export function chainGenesisHash(chainId: string): string {
  return sha256Hex(`policy-gateway/chain/v1/${chainId.toLowerCase()}`);
}

/**
 * The canonical JSON text of the entry's fields that `entry_digest` digests. `entry` must be
 * the storable form (as written by an adapter and as read back from one).
 */
export function auditEntryDigestPreimage(entry: AuditLogEntry): string {
  const fields: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(entry)) {
    if (field === 'chain' || value === undefined) continue;
    fields[snakeCase(field)] = value;
  }
  const text = canonicalize(fields);
  if (text === undefined) throw new TypeError('an audit entry has no canonical JSON form');
  return text;
}

/** The entry's `entry_digest`: hex SHA-256 of `auditEntryDigestPreimage`. */
export function auditEntryDigest(entry: AuditLogEntry): string {
  return sha256Hex(auditEntryDigestPreimage(entry));
}

/** The canonical JSON text that `auditEntryHash` digests, from the entry's digest. */
export function auditLinkPreimage(entryDigest: string, position: AuditChainPosition): string {
  const text = canonicalize({
    v: AUDIT_ENTRY_HASH_VERSION,
    chain_id: position.chainId,
    chain_seq: position.seq,
    prev_hash: position.prevHash,
    entry_digest: entryDigest,
  });
  if (text === undefined) throw new TypeError('a chain position has no canonical JSON form');
  return text;
}

/** The canonical JSON text that `auditEntryHash` digests for `entry` at `position`. */
export function auditEntryHashPreimage(entry: AuditLogEntry, position: AuditChainPosition): string {
  return auditLinkPreimage(auditEntryDigest(entry), position);
}

/** The `entryHash` of an entry with this digest at `position`: what a proof checks links with. */
export function auditLinkHash(entryDigest: string, position: AuditChainPosition): string {
  return sha256Hex(auditLinkPreimage(entryDigest, position));
}

/** The entry's `entryHash` at `position`: hex SHA-256 of `auditEntryHashPreimage`. */
export function auditEntryHash(entry: AuditLogEntry, position: AuditChainPosition): string {
  return sha256Hex(auditEntryHashPreimage(entry, position));
}

/** `decisionId` → `decision_id`: the column and API name of a domain field. */
export function snakeCase(field: string): string {
  return field.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
