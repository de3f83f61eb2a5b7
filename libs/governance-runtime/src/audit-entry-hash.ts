/**
 * The canonical hash of an audit entry: the one function the chain writer and every
 * verifier (the CLI, the integrity route, an outside party holding a proof) compute, so that
 * they cannot disagree.
 *
 * The preimage is the RFC 8785 canonical JSON (npm `canonicalize`) of
 *
 *     {"v":1,"chain_id":"<uuid>","chain_seq":<n>,"prev_hash":"<hex>","entry":{…}}
 *
 * where `entry` holds every stored field of the entry in its storable form
 * (`toStorableAuditLogEntry`) except `chain` itself, each top-level field named as its
 * column and as the HTTP API names it (snake_case: `decisionId` → `decision_id`); nested JSON
 * values (`input`, `result`, `reasons`, …) are as stored. Every field the entry has is
 * hashed, so a field added later is covered without a change here; a field that is null is
 * hashed as null. `entry_hash` is the lower-case hex SHA-256 of the preimage's UTF-8 bytes.
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
 * The canonical JSON text that `auditEntryHash` digests. `entry` must be the storable form
 * (as written by an adapter and as read back from one).
 */
export function auditEntryHashPreimage(entry: AuditLogEntry, position: AuditChainPosition): string {
  const fields: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(entry)) {
    if (field === 'chain' || value === undefined) continue;
    fields[snakeCase(field)] = value;
  }
  const text = canonicalize({
    v: AUDIT_ENTRY_HASH_VERSION,
    chain_id: position.chainId,
    chain_seq: position.seq,
    prev_hash: position.prevHash,
    entry: fields,
  });
  if (text === undefined) throw new TypeError('an audit entry has no canonical JSON form');
  return text;
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
