/**
 * What the parts of the contract suite share: the repository under test, and helpers to
 * walk a query page by page and to put entries in the order the port promises.
 */
import type { AuditLogEntry } from '../../src/audit-log-entry.js';
import type { AuditLogEntryRepository } from '../../src/audit-log-entry-repository.js';
import type { AuditLogQuery } from '../../src/audit-log-query.js';
import type { AuditLogEntryRepositoryHarness } from '../audit-log-entry-repository-harness.js';

export interface ContractContext {
  readonly harness: AuditLogEntryRepositoryHarness;
  /** The empty repository opened for the current test. */
  repository(): AuditLogEntryRepository;
}

/** Every entry a query selects, following cursors page by page. */
export async function walk(
  repository: AuditLogEntryRepository,
  query: Omit<AuditLogQuery, 'cursor'>,
): Promise<{ entries: AuditLogEntry[]; pages: number }> {
  const entries: AuditLogEntry[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await repository.query({ ...query, ...(cursor !== undefined && { cursor }) });
    pages += 1;
    entries.push(...page.entries);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined && pages < 1000);
  return { entries, pages };
}

export function ids(entries: readonly AuditLogEntry[]): string[] {
  return entries.map((entry) => entry.id);
}

/** Newest first: descending by occurredAt, then by id. */
export function newestFirst(entries: readonly AuditLogEntry[]): AuditLogEntry[] {
  return [...entries].sort((a, b) =>
    a.occurredAt === b.occurredAt
      ? b.id.localeCompare(a.id)
      : b.occurredAt.localeCompare(a.occurredAt),
  );
}

/** A fixed permutation, so that append order differs from time order. */
export function shuffled<T>(items: readonly T[]): T[] {
  return items
    .map((item, index) => ({ item, key: (index * 7919) % 104_729 }))
    .sort((a, b) => (a.key % 13) - (b.key % 13) || a.key - b.key)
    .map(({ item }) => item);
}

/**
 * The entry without its chain link, to compare with what was written: a repository behind
 * the hash chain stores each entry with the link it assigned (checked by the chain's own
 * tests), and the contract is about everything else.
 */
export function unchained(entry: AuditLogEntry | undefined): AuditLogEntry | undefined {
  if (entry?.chain === undefined) return entry;
  const { chain: _link, ...rest } = entry;
  return rest;
}
