/**
 * What the parts of the access-log contract suite share: the repository under test, and a
 * walk through a query page by page.
 */
import type { AccessLogQuery } from '../../src/access-log-query.js';
import type { AccessLogRecord } from '../../src/access-log-record.js';
import type { AccessLogRepository } from '../../src/access-log-repository.js';
import type { AccessLogRepositoryHarness } from '../access-log-repository-harness.js';

export interface AccessLogContractContext {
  readonly harness: AccessLogRepositoryHarness;
  /** The empty repository opened for the current test. */
  repository(): AccessLogRepository;
}

/** Every record a query selects, following cursors page by page. */
export async function walkAccessLog(
  repository: AccessLogRepository,
  query: Omit<AccessLogQuery, 'cursor'>,
): Promise<{ records: AccessLogRecord[]; pages: number }> {
  const records: AccessLogRecord[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await repository.query({ ...query, ...(cursor !== undefined && { cursor }) });
    pages += 1;
    records.push(...page.records);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined && pages < 1000);
  return { records, pages };
}

export function recordIds(records: readonly AccessLogRecord[]): string[] {
  return records.map((record) => record.id);
}
