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
import { hash } from 'node:crypto';
import type { AuditChainLink } from './audit-chain-link.js';
import type { AuditLogEntry } from './audit-log-entry.js';
import { canonicalMemberOrder, write as writeCanonical } from './canonical-json.js';

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
  const record = entry as unknown as Readonly<Record<string, unknown>>;
  let text = '{';
  for (const { field, member } of membersOf(record)) {
    const value = record[field];
    if (value === undefined || typeof value === 'symbol') continue;
    text += `${text.length === 1 ? '' : ','}${member}:${writeCanonical(value)}`;
  }
  return `${text}}`;
}

interface EntryMember {
  /** The domain field. */
  readonly field: string;
  /** Its snake_case name as canonical JSON text (quoted). */
  readonly member: string;
}

/**
 * The entry's fields in the canonical order of their snake_case names, worked out once per
 * shape of entry (entries of one build all have one shape) rather than once per entry.
 */
const MEMBER_ORDERS = new Map<string, readonly EntryMember[]>();

function membersOf(entry: Readonly<Record<string, unknown>>): readonly EntryMember[] {
  const fields = Object.keys(entry).filter((field) => field !== 'chain');
  const shape = fields.join(',');
  let members = MEMBER_ORDERS.get(shape);
  if (members === undefined) {
    const byName = new Map(fields.map((field) => [snakeCase(field), field]));
    members = canonicalMemberOrder([...byName.keys()]).map((name) => ({
      field: byName.get(name)!,
      member: writeCanonical(name),
    }));
    if (MEMBER_ORDERS.size < 64) MEMBER_ORDERS.set(shape, members);
  }
  return members;
}

/** The entry's `entry_digest`: hex SHA-256 of `auditEntryDigestPreimage`. */
export function auditEntryDigest(entry: AuditLogEntry): string {
  return sha256Hex(auditEntryDigestPreimage(entry));
}

/** The canonical JSON text that `auditEntryHash` digests, from the entry's digest. */
export function auditLinkPreimage(entryDigest: string, position: AuditChainPosition): string {
  // The five members written in their canonical order (chain_id, chain_seq, entry_digest,
  // prev_hash, v), each value as canonical JSON writes it.
  return `{"chain_id":${quoted(position.chainId)},"chain_seq":${Number.isSafeInteger(position.seq) ? String(position.seq) : writeCanonical(position.seq)},"entry_digest":${quoted(entryDigest)},"prev_hash":${quoted(position.prevHash)},"v":${AUDIT_ENTRY_HASH_VERSION}}`;
}

/**
 * Printable ASCII but `"` and `\`: the characters canonical JSON writes as they are, so that
 * such a string (a uuid, a hex hash: every link's) is written by quoting it, as `write` would,
 * without the lone-surrogate scan and `JSON.stringify` it costs per value. The verifier links
 * every entry this way.
 */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

function quoted(value: string): string {
  return PLAIN.test(value) ? `"${value}"` : writeCanonical(value);
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

/** One-shot `crypto.hash` (Node 20.12+): a third of `createHash`'s cost on inputs this small. */
function sha256Hex(text: string): string {
  return hash('sha256', text, 'hex');
}
