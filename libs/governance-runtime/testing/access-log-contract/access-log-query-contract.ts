/**
 * The contract of `query`: newest first by `(occurredAt, id)`, filters (principal, route, an
 * entry that was read, time bounds), keyset pagination that sees every record once, and
 * refusals that name the field at fault.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { AccessLogQuery } from '../../src/access-log-query.js';
import type { AccessLogRecord } from '../../src/access-log-record.js';
import type { AccessLogRepository } from '../../src/access-log-repository.js';
import { InvalidCursorError } from '../../src/audit-log-cursor.js';
import { InvalidAccessLogQueryError } from '../../src/invalid-access-log-query-error.js';
import { newAuditLogEntryId } from '../../src/new-audit-log-entry-id.js';
import { ACCESS_LOG_QUERY_MAX_LIMIT } from '../../src/resolved-access-log-query.js';
import { makeAccessLogRecord } from '../access-log-record-fixtures.js';
import { at } from '../audit-log-entry-fixtures.js';
import {
  type AccessLogContractContext,
  recordIds,
  walkAccessLog,
} from './access-log-contract-context.js';

function newestFirst(records: readonly AccessLogRecord[]): AccessLogRecord[] {
  return [...records].sort((a, b) =>
    a.occurredAt === b.occurredAt
      ? b.id.localeCompare(a.id)
      : b.occurredAt.localeCompare(a.occurredAt),
  );
}

export function describeAccessLogQueryContract(context: AccessLogContractContext): void {
  describe('query', () => {
    let repository: AccessLogRepository;

    beforeEach(() => {
      repository = context.repository();
    });

    it('answers an empty page with no cursor when nothing was recorded', async () => {
      expect(await repository.query({ limit: 10 })).toEqual({ records: [], nextCursor: null });
    });

    it('lists records newest first, by time and then by id, whatever order they came in', async () => {
      const records = [
        makeAccessLogRecord({ occurredAt: at(3) }),
        makeAccessLogRecord({ occurredAt: at(1) }),
        makeAccessLogRecord({ occurredAt: at(2) }),
        makeAccessLogRecord({ occurredAt: at(2) }),
        makeAccessLogRecord({ occurredAt: at(1_000_000) }),
      ];
      for (const record of [records[2]!, records[4]!, records[0]!, records[3]!, records[1]!]) {
        await repository.append(record);
      }
      const page = await repository.query({ limit: 10 });
      expect(recordIds(page.records)).toEqual(recordIds(newestFirst(records)));
      expect(page.nextCursor).toBeNull();
    });

    describe('filters', () => {
      const seen = newAuditLogEntryId();
      const r1 = makeAccessLogRecord({ occurredAt: at(1), principalId: 'key:alice' });
      const r2 = makeAccessLogRecord({
        occurredAt: at(2),
        principalId: 'key:bob',
        route: '/governance/audit/:id',
        entryIds: [seen],
        entryCount: 1,
      });
      const r3 = makeAccessLogRecord({
        occurredAt: at(3),
        principalId: 'key:alice',
        entryIds: [newAuditLogEntryId(), seen, newAuditLogEntryId()],
        entryCount: 3,
      });
      const r4 = makeAccessLogRecord({
        occurredAt: at(4),
        principalId: 'anonymous',
        route: '/governance/access-log',
      });
      const r5 = makeAccessLogRecord({
        occurredAt: at(5),
        principalId: 'key:alice',
        route: '/governance/audit/:id',
        status: 404,
        entryIds: [],
        entryCount: 0,
      });

      beforeEach(async () => {
        for (const record of [r1, r2, r3, r4, r5]) await repository.append(record);
      });

      it.each([
        { note: 'principal', query: { principalId: 'key:alice' }, expected: [r5, r3, r1] },
        { note: 'route', query: { route: '/governance/audit/:id' }, expected: [r5, r2] },
        { note: 'an entry that was read', query: { entryId: seen }, expected: [r3, r2] },
        {
          note: 'an entry id in upper case',
          query: { entryId: seen.toUpperCase() },
          expected: [r3, r2],
        },
        { note: 'an entry nobody read', query: { entryId: newAuditLogEntryId() }, expected: [] },
        { note: 'since is inclusive', query: { since: at(3) }, expected: [r5, r4, r3] },
        { note: 'until is exclusive', query: { until: at(3) }, expected: [r2, r1] },
        {
          note: 'all combined',
          query: {
            principalId: 'key:alice',
            route: '/governance/audit',
            since: at(2),
            until: at(5),
          },
          expected: [r3],
        },
      ] satisfies { note: string; query: Partial<AccessLogQuery>; expected: AccessLogRecord[] }[])(
        'selects by $note',
        async ({ query, expected }) => {
          const page = await repository.query({ limit: 10, ...query });
          expect(recordIds(page.records)).toEqual(recordIds(expected));
        },
      );

      it('pages through a filter with cursors, each record once', async () => {
        const { records, pages } = await walkAccessLog(repository, {
          principalId: 'key:alice',
          limit: 1,
        });
        expect(recordIds(records)).toEqual(recordIds([r5, r3, r1]));
        expect(pages).toBe(3);
      });
    });

    it('walks many records sharing timestamps page by page, each once, in order', async () => {
      const records = Array.from({ length: 23 }, (_, i) =>
        makeAccessLogRecord({ occurredAt: at(Math.floor(i / 4)) }),
      );
      for (const record of records) await repository.append(record);
      const { records: walked, pages } = await walkAccessLog(repository, { limit: 5 });
      expect(recordIds(walked)).toEqual(recordIds(newestFirst(records)));
      expect(pages).toBe(5);
    });

    it('ends the last full page with no cursor when nothing follows it', async () => {
      for (let i = 0; i < 3; i += 1) {
        await repository.append(makeAccessLogRecord({ occurredAt: at(i) }));
      }
      const first = await repository.query({ limit: 2 });
      expect(first.nextCursor).not.toBeNull();
      const second = await repository.query({ limit: 2, cursor: first.nextCursor! });
      expect(second.records).toHaveLength(1);
      expect(second.nextCursor).toBeNull();
    });

    it('does not show a record made during a walk on a later page', async () => {
      for (let i = 0; i < 4; i += 1) {
        await repository.append(makeAccessLogRecord({ occurredAt: at(i) }));
      }
      const first = await repository.query({ limit: 2 });
      const newer = makeAccessLogRecord({ occurredAt: at(100) });
      await repository.append(newer);
      const second = await repository.query({ limit: 2, cursor: first.nextCursor! });
      expect(recordIds(second.records)).not.toContain(newer.id);
      expect(second.records).toHaveLength(2);
    });

    it.each([
      { note: 'limit 0', query: { limit: 0 }, field: 'limit' },
      {
        note: `limit ${ACCESS_LOG_QUERY_MAX_LIMIT + 1}`,
        query: { limit: ACCESS_LOG_QUERY_MAX_LIMIT + 1 },
        field: 'limit',
      },
      { note: 'a fractional limit', query: { limit: 1.5 }, field: 'limit' },
      { note: 'since not a date-time', query: { limit: 1, since: 'last week' }, field: 'since' },
      {
        note: 'until on 30 February',
        query: { limit: 1, until: '2026-02-30T00:00:00Z' },
        field: 'until',
      },
      { note: 'entry id not a UUID', query: { limit: 1, entryId: '42' }, field: 'entryId' },
      {
        note: 'U+0000 in the principal',
        query: { limit: 1, principalId: 'a\u0000' },
        field: 'principalId',
      },
      {
        note: 'unpaired surrogate in the route',
        query: { limit: 1, route: '/\udc00' },
        field: 'route',
      },
    ] satisfies { note: string; query: AccessLogQuery; field: string }[])(
      'refuses $note, naming the field',
      async ({ query, field }) => {
        const error = await repository.query(query).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(InvalidAccessLogQueryError);
        expect((error as InvalidAccessLogQueryError).field).toBe(field);
      },
    );

    it('refuses a cursor it did not issue with InvalidCursorError', async () => {
      const error = await repository
        .query({ limit: 1, cursor: 'garbled!' })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidCursorError);
    });

    it(`accepts the largest page, ${ACCESS_LOG_QUERY_MAX_LIMIT} records`, async () => {
      const records = Array.from({ length: ACCESS_LOG_QUERY_MAX_LIMIT + 1 }, (_, i) =>
        makeAccessLogRecord({ occurredAt: at(i) }),
      );
      for (const record of records) await repository.append(record);
      const page = await repository.query({ limit: ACCESS_LOG_QUERY_MAX_LIMIT });
      expect(page.records).toHaveLength(ACCESS_LOG_QUERY_MAX_LIMIT);
      expect(page.nextCursor).not.toBeNull();
    });
  });
}
