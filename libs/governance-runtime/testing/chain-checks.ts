/**
 * What the chain's tests check of a chain as stored: seqs 1…n without a gap, each entry
 * linked to the one before (the genesis hash for seq 1), and each hash recomputed from the
 * entry as read back. Not the verifier (that is `policy-gateway audit verify`): a test's
 * summary, so that a failing test says what is wrong.
 */
import { auditEntryHash, chainGenesisHash } from '../src/audit-entry-hash.js';
import type { AuditLogEntry } from '../src/audit-log-entry.js';
import type { AuditLogEntryRepository } from '../src/audit-log-entry-repository.js';

export interface ChainSummary {
  readonly entries: number;
  /** The seqs, ascending. */
  readonly seqs: readonly number[];
  /** What is wrong, one line per problem; empty when the chain is intact. */
  readonly problems: readonly string[];
  readonly headHash: string;
}

/** Every entry of the repository, all pages. */
export async function allEntries(repository: AuditLogEntryRepository): Promise<AuditLogEntry[]> {
  const entries: AuditLogEntry[] = [];
  let cursor: string | undefined;
  do {
    const page = await repository.query({ limit: 1000, ...(cursor !== undefined && { cursor }) });
    entries.push(...page.entries);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return entries;
}

/** The entries of each chain, by chain id, in seq order. */
export function chainsOf(entries: readonly AuditLogEntry[]): Map<string, AuditLogEntry[]> {
  const chains = new Map<string, AuditLogEntry[]>();
  for (const entry of entries) {
    if (entry.chain === undefined) continue;
    const list = chains.get(entry.chain.chainId) ?? [];
    list.push(entry);
    chains.set(entry.chain.chainId, list);
  }
  for (const list of chains.values()) list.sort((a, b) => a.chain!.seq - b.chain!.seq);
  return chains;
}

export function checkChain(chainId: string, entries: readonly AuditLogEntry[]): ChainSummary {
  const problems: string[] = [];
  let prevHash = chainGenesisHash(chainId);
  const seqs: number[] = [];
  entries.forEach((entry, index) => {
    const link = entry.chain;
    if (link === undefined || link.chainId !== chainId) {
      problems.push(`entry ${entry.id} is not in chain ${chainId}`);
      return;
    }
    seqs.push(link.seq);
    if (link.seq !== index + 1)
      problems.push(`entry ${entry.id} has seq ${link.seq}, expected ${index + 1}`);
    if (link.prevHash !== prevHash)
      problems.push(`entry ${entry.id} (seq ${link.seq}) does not link to the previous entry`);
    const recomputed = auditEntryHash(entry, link);
    if (recomputed !== link.entryHash)
      problems.push(`entry ${entry.id} (seq ${link.seq}) does not match its hash`);
    prevHash = link.entryHash;
  });
  return { entries: entries.length, seqs, problems, headHash: prevHash };
}
