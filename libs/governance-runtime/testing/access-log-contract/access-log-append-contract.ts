/**
 * The contract of `append`: a record comes back exactly as written, in one canonical form; one
 * the storage could not keep faithfully, or whose id is taken, is refused and nothing is stored.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { ACCESS_LOG_MAX_ENTRY_IDS, type AccessLogRecord } from '../../src/access-log-record.js';
import type { AccessLogRepository } from '../../src/access-log-repository.js';
import { DuplicateAccessLogRecordError } from '../../src/duplicate-access-log-record-error.js';
import { InvalidAccessLogRecordError } from '../../src/invalid-access-log-record-error.js';
import { newAuditLogEntryId } from '../../src/new-audit-log-entry-id.js';
import { makeAccessLogRecord } from '../access-log-record-fixtures.js';
import { at } from '../audit-log-entry-fixtures.js';
import { type AccessLogContractContext, recordIds } from './access-log-contract-context.js';

export function describeAccessLogAppendContract(context: AccessLogContractContext): void {
  describe('append', () => {
    let repository: AccessLogRepository;

    beforeEach(() => {
      repository = context.repository();
    });

    async function only(): Promise<AccessLogRecord | undefined> {
      const page = await repository.query({ limit: 10 });
      expect(page.records.length).toBeLessThanOrEqual(1);
      return page.records[0];
    }

    it('returns an appended record with every field exactly as written', async () => {
      const record = makeAccessLogRecord({
        occurredAt: '2026-11-28T07:18:50.123456Z',
        principalId: 'oidc:jane@https://idp.example.com/',
        route: '/governance/audit/:id',
        parameters: {
          id: '01938f6e-0000-7000-8000-000000000001',
          nested: { list: [1, 2.5, -3e-7, true, null], empty: {} },
          unicode_é: 'ユーザー 😀',
          cursor: true,
        },
        status: 200,
        clientAddress: '2001:db8::1',
        userAgent: 'curl/8.5.0',
      });
      await repository.append(record);
      expect(await only()).toStrictEqual(record);
    });

    it('round-trips a refused read: no entries, a 4xx status and null request fields', async () => {
      const record = makeAccessLogRecord({
        status: 403,
        entryIds: [],
        entryCount: 0,
        requestId: null,
        clientRequestId: null,
        clientAddress: null,
        userAgent: null,
      });
      await repository.append(record);
      expect(await only()).toStrictEqual(record);
    });

    it('stores the canonical form: lower-case ids, UTC microseconds, JSON as JSON', async () => {
      const entryId = newAuditLogEntryId();
      const record = makeAccessLogRecord({
        id: newAuditLogEntryId().toUpperCase(),
        occurredAt: '2026-11-28T08:18:50.5+01:00',
        entryIds: [entryId.toUpperCase()],
        entryCount: 1,
        parameters: { kept: 'yes', dropped: undefined },
      });
      await repository.append(record);
      expect(await only()).toStrictEqual({
        ...record,
        id: record.id.toLowerCase(),
        occurredAt: '2026-11-28T07:18:50.500000Z',
        entryIds: [entryId],
        parameters: { kept: 'yes' },
      });
    });

    it(`keeps all ${ACCESS_LOG_MAX_ENTRY_IDS} entry ids of a full page, in order`, async () => {
      const entryIds = Array.from({ length: ACCESS_LOG_MAX_ENTRY_IDS }, () => newAuditLogEntryId());
      const record = makeAccessLogRecord({ entryIds, entryCount: entryIds.length });
      await repository.append(record);
      expect((await only())?.entryIds).toEqual(entryIds);
    });

    it('keeps a count larger than the ids listed (an answer whose ids are not all known)', async () => {
      const record = makeAccessLogRecord({ entryIds: [], entryCount: 12_345 });
      await repository.append(record);
      expect(await only()).toStrictEqual(record);
    });

    it('refuses a second record with the same id (any letter case) and keeps the first', async () => {
      const first = makeAccessLogRecord({ status: 200 });
      await repository.append(first);
      const error = await repository
        .append(makeAccessLogRecord({ id: first.id.toUpperCase(), status: 404 }))
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DuplicateAccessLogRecordError);
      expect(await only()).toStrictEqual(first);
    });

    it.each([
      { note: 'id not a UUID', field: 'id', overrides: { id: 'record-1' } },
      { note: 'time not RFC 3339', field: 'occurredAt', overrides: { occurredAt: 'yesterday' } },
      { note: 'empty principal', field: 'principalId', overrides: { principalId: '' } },
      { note: 'empty route', field: 'route', overrides: { route: '' } },
      { note: 'status out of range', field: 'status', overrides: { status: 42 } },
      { note: 'status not an integer', field: 'status', overrides: { status: 200.5 } },
      {
        note: 'entry id not a UUID',
        field: 'entryIds[1]',
        overrides: { entryIds: [newAuditLogEntryId(), 'x'] },
      },
      {
        note: 'more entry ids than a page holds',
        field: 'entryIds',
        overrides: {
          entryIds: Array.from({ length: ACCESS_LOG_MAX_ENTRY_IDS + 1 }, () =>
            newAuditLogEntryId(),
          ),
          entryCount: ACCESS_LOG_MAX_ENTRY_IDS + 1,
        },
      },
      {
        note: 'count below the ids listed',
        field: 'entryCount',
        overrides: { entryIds: [newAuditLogEntryId()], entryCount: 0 },
      },
      {
        note: 'parameters not an object',
        field: 'parameters',
        overrides: { parameters: [] as never },
      },
      {
        note: 'U+0000 in a parameter',
        field: 'parameters.user_id',
        overrides: { parameters: { user_id: 'a\u0000b' } },
      },
      {
        note: 'unpaired surrogate in the user agent',
        field: 'userAgent',
        overrides: { userAgent: 'agent \ud800' },
      },
    ] satisfies { note: string; field: string; overrides: Partial<AccessLogRecord> }[])(
      'refuses a record PostgreSQL could not keep faithfully ($note) and stores nothing',
      async ({ field, overrides }) => {
        const error = await repository
          .append(makeAccessLogRecord(overrides))
          .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(InvalidAccessLogRecordError);
        expect((error as InvalidAccessLogRecordError).field).toBe(field);
        expect(recordIds((await repository.query({ limit: 10 })).records)).toEqual([]);
      },
    );

    it('keeps a record appended before a refused one', async () => {
      const kept = makeAccessLogRecord({ occurredAt: at(1) });
      await repository.append(kept);
      await repository.append(makeAccessLogRecord({ status: 9000 })).catch(() => undefined);
      expect(await only()).toStrictEqual(kept);
    });
  });
}
