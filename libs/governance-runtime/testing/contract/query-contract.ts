/**
 * The contract of `query`: newest first by `(occurredAt, id)`, filters, keyset pagination
 * that sees every entry once, and refusals that name the field at fault.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import {
  decodeAuditLogCursor,
  encodeAuditLogCursor,
  InvalidCursorError,
} from '../../src/audit-log-cursor.js';
import type { AuditLogEntry } from '../../src/audit-log-entry.js';
import type { AuditLogEntryRepository } from '../../src/audit-log-entry-repository.js';
import { InvalidAuditQueryError } from '../../src/invalid-audit-query-error.js';
import { at, makeEntry, shadowOf } from '../audit-log-entry-fixtures.js';
import { type ContractContext, ids, newestFirst, shuffled, walk } from './contract-support.js';

export function describeQueryContract(context: ContractContext): void {
  describe('query', () => {
    let repository: AuditLogEntryRepository;

    beforeEach(() => {
      repository = context.repository();
    });

    it('lists entries newest first, by time and then by id, whatever order they came in', async () => {
      const entries = [
        makeEntry({ occurredAt: at(3) }),
        makeEntry({ occurredAt: at(1) }),
        makeEntry({ occurredAt: at(2) }),
        makeEntry({ occurredAt: at(2) }),
        makeEntry({ occurredAt: at(1_000_000) }),
      ];
      for (const entry of shuffled(entries)) await repository.append(entry);
      const page = await repository.query({ limit: 10 });
      expect(ids(page.entries)).toEqual(ids(newestFirst(entries)));
      expect(page.nextCursor).toBeNull();
    });

    describe('filters', () => {
      const entries = [
        makeEntry({ occurredAt: at(1), userId: 'alice', decision: 'allow' }),
        makeEntry({ occurredAt: at(2), userId: 'bob', decision: 'deny', shadow: shadowOf('deny') }),
        makeEntry({
          occurredAt: at(3),
          userId: 'alice',
          decision: 'deny',
          policyPath: 'data.other',
          shadow: shadowOf('allow'),
        }),
        makeEntry({
          occurredAt: at(4),
          userId: 'alice',
          decision: 'error',
          decisionId: 'opa-decision-7',
          action: 'opa.decision_log',
          gatewayInstance: 'opa-7',
        }),
        makeEntry({
          occurredAt: at(5),
          userId: 'carol',
          decision: 'allow',
          policyPath: 'data.other',
          action: 'opa.decision_log',
          shadow: { ...shadowOf('error'), error: 'candidate timed out' },
          enforced: false,
        }),
      ];
      const [e1, e2, e3, e4, e5] = entries as [
        AuditLogEntry,
        AuditLogEntry,
        AuditLogEntry,
        AuditLogEntry,
        AuditLogEntry,
      ];

      beforeEach(async () => {
        for (const entry of entries) await repository.append(entry);
      });

      it.each([
        { note: 'user', query: { userId: 'alice' }, expected: [e4, e3, e1] },
        { note: 'decision', query: { decision: 'deny' as const }, expected: [e3, e2] },
        { note: 'policy path', query: { policyPath: 'data.other' }, expected: [e5, e3] },
        { note: 'decision id', query: { decisionId: 'opa-decision-7' }, expected: [e4] },
        { note: 'action', query: { action: 'opa.decision_log' }, expected: [e5, e4] },
        { note: 'gateway instance', query: { gatewayInstance: 'opa-7' }, expected: [e4] },
        {
          note: 'a recorded shadow',
          query: { shadow: 'recorded' as const },
          expected: [e5, e3, e2],
        },
        {
          note: 'a shadow decision that differs (a shadow error differs)',
          query: { shadow: 'differs' as const },
          expected: [e5, e3],
        },
        {
          note: 'a differing shadow and the decision',
          query: { shadow: 'differs' as const, decision: 'deny' as const },
          expected: [e3],
        },
        { note: 'since is inclusive', query: { since: at(3) }, expected: [e5, e4, e3] },
        { note: 'until is exclusive', query: { until: at(3) }, expected: [e2, e1] },
        { note: 'since and until', query: { since: at(2), until: at(4) }, expected: [e3, e2] },
        {
          note: 'bounds with an offset are compared in UTC',
          query: { since: '2026-11-28T08:00:00.000003+01:00' },
          expected: [e5, e4, e3],
        },
        {
          note: 'user and decision',
          query: { userId: 'alice', decision: 'deny' as const },
          expected: [e3],
        },
        {
          note: 'user, decision and time',
          query: { userId: 'alice', decision: 'allow' as const, since: at(2) },
          expected: [],
        },
        { note: 'a user nobody is', query: { userId: 'mallory' }, expected: [] },
      ])('selects by $note', async ({ query, expected }) => {
        const page = await repository.query({ limit: 100, ...query });
        expect(ids(page.entries)).toEqual(ids(expected));
        expect(page.nextCursor).toBeNull();
      });

      it('pages through a filtered selection with the filter kept', async () => {
        const { entries: walked } = await walk(repository, { limit: 1, userId: 'alice' });
        expect(ids(walked)).toEqual(ids([e4, e3, e1]));
      });
    });

    describe('keyset pagination', () => {
      it('walks every entry exactly once, newest first, even when many share one timestamp', async () => {
        const entries = [
          ...Array.from({ length: 12 }, () => makeEntry({ occurredAt: at(500) })),
          ...Array.from({ length: 8 }, (_, i) => makeEntry({ occurredAt: at(i * 100) })),
          ...Array.from({ length: 9 }, () => makeEntry({ occurredAt: at(900) })),
        ];
        for (const entry of shuffled(entries)) await repository.append(entry);
        for (const limit of [1, 3, 7, 29, 30]) {
          const { entries: walked, pages } = await walk(repository, { limit });
          expect(ids(walked), `limit ${limit}`).toEqual(ids(newestFirst(entries)));
          expect(pages, `limit ${limit}`).toBe(Math.ceil(entries.length / limit));
        }
      });

      it('ends with a null cursor when the last page is exactly full', async () => {
        for (let i = 0; i < 4; i += 1) await repository.append(makeEntry({ occurredAt: at(i) }));
        const first = await repository.query({ limit: 2 });
        expect(first.nextCursor).not.toBeNull();
        const second = await repository.query({ limit: 2, cursor: first.nextCursor! });
        expect(second.entries).toHaveLength(2);
        expect(second.nextCursor).toBeNull();
      });

      it('keeps walking older entries when newer ones arrive between pages', async () => {
        const older = Array.from({ length: 6 }, (_, i) => makeEntry({ occurredAt: at(i) }));
        for (const entry of older) await repository.append(entry);
        const first = await repository.query({ limit: 3 });
        await repository.append(makeEntry({ occurredAt: at(1_000) }));
        const second = await repository.query({ limit: 3, cursor: first.nextCursor! });
        expect(ids([...first.entries, ...second.entries])).toEqual(ids(newestFirst(older)));
      });

      it('issues cursors that decode to the last entry of the page', async () => {
        for (let i = 0; i < 3; i += 1) await repository.append(makeEntry({ occurredAt: at(i) }));
        const page = await repository.query({ limit: 2 });
        const last = page.entries[1]!;
        expect(decodeAuditLogCursor(page.nextCursor!)).toEqual({
          occurredAt: last.occurredAt,
          id: last.id,
        });
      });

      it.each([
        { note: 'not base64url', cursor: 'not a cursor!' },
        {
          note: 'base64url of something else',
          cursor: Buffer.from('{"offset":10}').toString('base64url'),
        },
        {
          note: 'an unknown version',
          cursor: Buffer.from(
            'v9|2026-11-28T07:00:00.000000Z|01900000-0000-7000-8000-000000000000',
          ).toString('base64url'),
        },
        {
          note: 'a bad timestamp',
          cursor: Buffer.from(
            'v1|2026-13-28T07:00:00.000000Z|01900000-0000-7000-8000-000000000000',
          ).toString('base64url'),
        },
        {
          note: 'a bad id',
          cursor: Buffer.from("v1|2026-11-28T07:00:00.000000Z|1' or '1'='1").toString('base64url'),
        },
        { note: 'empty', cursor: '' },
      ])('rejects a cursor that is $note with InvalidCursorError', async ({ cursor }) => {
        const error = await repository.query({ limit: 10, cursor }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(InvalidCursorError);
        expect(error).toBeInstanceOf(InvalidAuditQueryError);
        expect((error as InvalidCursorError).field).toBe('cursor');
      });

      it('rejects a truncated real cursor', async () => {
        for (let i = 0; i < 3; i += 1) await repository.append(makeEntry({ occurredAt: at(i) }));
        const { nextCursor } = await repository.query({ limit: 1 });
        await expect(
          repository.query({ limit: 1, cursor: nextCursor!.slice(0, -6) }),
        ).rejects.toBeInstanceOf(InvalidCursorError);
      });

      it('accepts a well-formed cursor for a position no entry has', async () => {
        const entries = [makeEntry({ occurredAt: at(10) }), makeEntry({ occurredAt: at(30) })];
        for (const entry of entries) await repository.append(entry);
        const cursor = encodeAuditLogCursor({
          occurredAt: at(20),
          id: '00000000-0000-7000-8000-000000000000',
        });
        const page = await repository.query({ limit: 10, cursor });
        expect(ids(page.entries)).toEqual([entries[0]!.id]);
      });
    });

    describe('byte budget', () => {
      /** About 10 KB each, in every adapter's way of counting: the prompt dwarfs the rest. */
      const large = (offset: number, overrides: Partial<AuditLogEntry> = {}) =>
        makeEntry({
          occurredAt: at(offset),
          input: { prompt: 'x'.repeat(10_000), user_id: 'user-1' },
          ...overrides,
        });

      it('ends a page early, with a cursor, before the entry that would exceed maxBytes', async () => {
        const entries = Array.from({ length: 5 }, (_, i) => large(i));
        for (const entry of entries) await repository.append(entry);
        const first = await repository.query({ limit: 100, maxBytes: 25_000 });
        expect(ids(first.entries)).toEqual(ids(newestFirst(entries).slice(0, 2)));
        expect(first.nextCursor).not.toBeNull();
        const { entries: walked, pages } = await walk(repository, {
          limit: 100,
          maxBytes: 25_000,
        });
        expect(ids(walked)).toEqual(ids(newestFirst(entries)));
        expect(pages).toBe(3);
      });

      it('counts the entries by their stored size, so that small ones fill a page to its limit', async () => {
        const entries = [
          large(0),
          ...Array.from({ length: 4 }, (_, i) => makeEntry({ occurredAt: at(i + 1) })),
        ];
        for (const entry of entries) await repository.append(entry);
        const page = await repository.query({ limit: 4, maxBytes: 12_000 });
        expect(ids(page.entries)).toEqual(ids(newestFirst(entries).slice(0, 4)));
        const next = await repository.query({
          limit: 4,
          maxBytes: 12_000,
          cursor: page.nextCursor!,
        });
        expect(ids(next.entries)).toEqual([entries[0]!.id]);
        expect(next.nextCursor).toBeNull();
      });

      it('returns one entry per page when each alone exceeds the budget', async () => {
        const entries = Array.from({ length: 3 }, (_, i) => large(i));
        for (const entry of entries) await repository.append(entry);
        const { entries: walked, pages } = await walk(repository, { limit: 10, maxBytes: 1 });
        expect(ids(walked)).toEqual(ids(newestFirst(entries)));
        expect(pages).toBe(3);
      });

      it('ends with a null cursor when the entries run out as the budget does', async () => {
        const entries = Array.from({ length: 4 }, (_, i) => large(i));
        for (const entry of entries) await repository.append(entry);
        const first = await repository.query({ limit: 10, maxBytes: 25_000 });
        const second = await repository.query({
          limit: 10,
          maxBytes: 25_000,
          cursor: first.nextCursor!,
        });
        expect(ids([...first.entries, ...second.entries])).toEqual(ids(newestFirst(entries)));
        expect(second.nextCursor).toBeNull();
      });

      it('weighs only the entries the filters select', async () => {
        const alice = [large(1, { userId: 'alice' }), large(3, { userId: 'alice' })];
        for (const entry of [...alice, large(2, { userId: 'bob' }), large(4, { userId: 'bob' })]) {
          await repository.append(entry);
        }
        const page = await repository.query({ limit: 10, maxBytes: 25_000, userId: 'alice' });
        expect(ids(page.entries)).toEqual(ids(newestFirst(alice)));
        expect(page.nextCursor).toBeNull();
      });

      it('leaves a page within the budget whole', async () => {
        const entries = Array.from({ length: 3 }, (_, i) => large(i));
        for (const entry of entries) await repository.append(entry);
        const page = await repository.query({ limit: 10, maxBytes: 1_000_000 });
        expect(ids(page.entries)).toEqual(ids(newestFirst(entries)));
        expect(page.nextCursor).toBeNull();
      });

      it.each([0, -1, 2.5, Number.NaN, Number.POSITIVE_INFINITY])(
        'rejects maxBytes %s naming the field',
        async (maxBytes) => {
          const error = await repository.query({ limit: 10, maxBytes }).catch((e: unknown) => e);
          expect(error).toBeInstanceOf(InvalidAuditQueryError);
          expect((error as InvalidAuditQueryError).field).toBe('maxBytes');
        },
      );
    });

    describe('limits', () => {
      it('returns at most `limit` entries, up to 1000', async () => {
        for (let i = 0; i < 5; i += 1) await repository.append(makeEntry({ occurredAt: at(i) }));
        expect((await repository.query({ limit: 1 })).entries).toHaveLength(1);
        expect((await repository.query({ limit: 1000 })).entries).toHaveLength(5);
      });

      it.each([0, -1, 1001, 2.5, Number.NaN])(
        'rejects limit %s naming the field',
        async (limit) => {
          const error = await repository.query({ limit }).catch((e: unknown) => e);
          expect(error).toBeInstanceOf(InvalidAuditQueryError);
          expect((error as InvalidAuditQueryError).field).toBe('limit');
        },
      );

      it.each([
        { note: 'a since that is not a date-time', field: 'since' as const, value: 'yesterday' },
        {
          note: 'an until that is not a date',
          field: 'until' as const,
          value: '2026-02-30T00:00:00Z',
        },
        { note: 'a user id with U+0000', field: 'userId' as const, value: 'alice\u0000' },
        {
          note: 'a policy with an unpaired surrogate',
          field: 'policyPath' as const,
          value: '\udc00',
        },
        { note: 'a decision id with U+0000', field: 'decisionId' as const, value: '\u0000' },
        { note: 'an unknown decision', field: 'decision' as const, value: 'maybe' },
      ])('rejects $note, naming the field', async ({ field, value }) => {
        const error = await repository
          .query({ limit: 10, [field]: value })
          .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(InvalidAuditQueryError);
        expect((error as InvalidAuditQueryError).field).toBe(field);
      });
    });
  });
}
