/**
 * What the verifier needs of one chained entry: where it stands in its chain and the digest
 * of its content (`entry_digest`), not the content itself. A reader that can compute the
 * digest straight from stored rows (`PostgresChainStream`) never builds the entry; any other
 * reader digests the entries it reads with `digestAuditEntry`.
 */
import type { AuditChainLink } from './audit-chain-link.js';
import { auditEntryDigest } from './audit-entry-hash.js';
import type { AuditLogEntry } from './audit-log-entry.js';

export interface DigestedAuditEntry {
  readonly id: string;
  /** RFC 3339 UTC with microseconds, as stored. */
  readonly occurredAt: string;
  readonly chain: AuditChainLink;
  /** Hex SHA-256 of the entry's canonical fields (`auditEntryDigest`). */
  readonly entryDigest: string;
  /**
   * Whether `chain.entryHash` is `auditLinkHash(entryDigest, chain)`, where the reader worked
   * it out already (from bytes, without building those strings); the walk computes it
   * otherwise.
   */
  readonly hashesAsStored?: boolean;
  /**
   * Whether `chain.prevHash` is `previous.chain.entryHash`, for a reader that can tell
   * without building the strings; the walk compares them otherwise.
   */
  linksTo?(previous: DigestedAuditEntry): boolean;
}

/** The digested form of a chained entry as read from a store; undefined for an unchained one. */
export function digestAuditEntry(entry: AuditLogEntry): DigestedAuditEntry | undefined {
  if (entry.chain === undefined) return undefined;
  return {
    id: entry.id,
    occurredAt: entry.occurredAt,
    chain: entry.chain,
    entryDigest: auditEntryDigest(entry),
  };
}
