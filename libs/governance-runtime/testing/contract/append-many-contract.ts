/**
 * The contract of `appendMany`: one outcome per entry in input order; invalid entries and
 * ids already stored (or earlier in the batch) are reported and left out, the rest are
 * committed together, exactly as `append` would store them.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { AppendManyResult, AppendStatus } from '../../src/append-many-result.js';
import type { AuditLogEntryRepository } from '../../src/audit-log-entry-repository.js';
import { DuplicateAuditLogEntryError } from '../../src/duplicate-audit-log-entry-error.js';
import { InvalidAuditLogEntryError } from '../../src/invalid-audit-log-entry-error.js';
import { at, makeEntry } from '../audit-log-entry-fixtures.js';
import {
  type ContractContext,
  ids,
  newestFirst,
  shuffled,
  unchained,
  walk,
} from './contract-support.js';

/** More than one INSERT carries in the PostgreSQL adapter (1,000 rows). */
export const BATCH_LARGER_THAN_ONE_STATEMENT = 1_100;

/** `[id, status]` per outcome, to compare a whole result at once. */
export function statuses(result: AppendManyResult): [string, AppendStatus][] {
  return result.results.map(({ id, status }) => [id, status]);
}

export function describeAppendManyContract(context: ContractContext): void {
  describe('appendMany', () => {
    let repository: AuditLogEntryRepository;

    beforeEach(() => {
      repository = context.repository();
    });

    it('commits every entry of a batch and reports each committed, in input order', async () => {
      const entries = shuffled(
        Array.from({ length: 6 }, (_, i) => makeEntry({ occurredAt: at(i % 3) })),
      );
      const result = await repository.appendMany(entries);
      expect(statuses(result)).toEqual(entries.map((entry) => [entry.id, 'committed']));
      expect(result.error).toBeUndefined();
      const page = await repository.query({ limit: 10 });
      expect(ids(page.entries)).toEqual(ids(newestFirst(entries)));
    });

    it('stores each entry exactly as append would, every field included', async () => {
      const entries = [
        makeEntry({
          occurredAt: '2026-11-28T08:18:50.5+01:00',
          userId: 'ユーザー-ü-😀',
          decision: 'deny',
          reasons: [{ code: 'pii.email', message: 'adresse e-mail', severity: 'high' }],
          input: { prompt: '日本語 🚀', a: undefined, numbers: [0.1, 1e21, 5e-324] },
          result: { allow: false },
          latencyMs: 1.234567,
        }),
        makeEntry({
          decision: 'error',
          result: null,
          error: 'OPA unreachable',
          requestId: null,
          clientRequestId: null,
          clientAddress: null,
          userAgent: null,
        }),
      ];
      await repository.appendMany(entries);
      expect(unchained(await repository.findById(entries[0]!.id))).toStrictEqual({
        ...entries[0],
        occurredAt: '2026-11-28T07:18:50.500000Z',
        input: { prompt: '日本語 🚀', numbers: [0.1, 1e21, 5e-324] },
      });
      expect(unchained(await repository.findById(entries[1]!.id))).toStrictEqual(entries[1]);
    });

    it('reports an entry whose id is already stored as a duplicate, keeps the stored one and commits the rest', async () => {
      const stored = makeEntry({ userId: 'first' });
      await repository.append(stored);
      const [before, after] = [makeEntry({ occurredAt: at(1) }), makeEntry({ occurredAt: at(2) })];
      const again = makeEntry({ id: stored.id, userId: 'second' });
      const result = await repository.appendMany([before, again, after]);
      expect(statuses(result)).toEqual([
        [before.id, 'committed'],
        [stored.id, 'duplicate'],
        [after.id, 'committed'],
      ]);
      const outcome = result.results[1]!;
      expect(outcome.status === 'duplicate' && outcome.error).toBeInstanceOf(
        DuplicateAuditLogEntryError,
      );
      expect(result.error).toBeUndefined();
      expect(unchained(await repository.findById(stored.id))).toStrictEqual(stored);
      expect((await repository.query({ limit: 10 })).entries).toHaveLength(3);
    });

    it('commits the first of entries sharing an id in one batch, in any letter case, and reports the others as duplicates', async () => {
      const first = makeEntry({ userId: 'first' });
      const other = makeEntry();
      const upper = makeEntry({ id: first.id.toUpperCase(), userId: 'second' });
      const same = makeEntry({ id: first.id, userId: 'third' });
      const result = await repository.appendMany([first, other, upper, same]);
      expect(statuses(result)).toEqual([
        [first.id, 'committed'],
        [other.id, 'committed'],
        [upper.id, 'duplicate'],
        [first.id, 'duplicate'],
      ]);
      for (const outcome of result.results.slice(2)) {
        expect(outcome.status === 'duplicate' && outcome.error.id).toBe(first.id);
      }
      expect(unchained(await repository.findById(first.id))).toStrictEqual(first);
      expect((await repository.query({ limit: 10 })).entries).toHaveLength(2);
    });

    it('reports each entry it could not store faithfully as invalid, naming the field, and commits the others', async () => {
      const valid = [makeEntry({ occurredAt: at(1) }), makeEntry({ occurredAt: at(2) })];
      const nul = makeEntry({ input: { prompt: 'a\u0000b' } });
      const badId = makeEntry({ id: 'entry-1' });
      const result = await repository.appendMany([nul, valid[0]!, badId, valid[1]!]);
      expect(statuses(result)).toEqual([
        [nul.id, 'invalid'],
        [valid[0]!.id, 'committed'],
        ['entry-1', 'invalid'],
        [valid[1]!.id, 'committed'],
      ]);
      const fields = result.results.map((outcome) =>
        outcome.status === 'invalid' && outcome.error instanceof InvalidAuditLogEntryError
          ? outcome.error.field
          : undefined,
      );
      expect(fields).toEqual(['input.prompt', undefined, 'id', undefined]);
      expect(result.error).toBeUndefined();
      expect(ids((await repository.query({ limit: 10 })).entries)).toEqual(ids(newestFirst(valid)));
    });

    it('does not let an invalid entry claim its id: a valid one with that id later in the batch is committed', async () => {
      const valid = makeEntry();
      const invalid = makeEntry({ id: valid.id, latencyMs: -1 });
      const result = await repository.appendMany([invalid, valid]);
      expect(statuses(result)).toEqual([
        [valid.id, 'invalid'],
        [valid.id, 'committed'],
      ]);
      expect(unchained(await repository.findById(valid.id))).toStrictEqual(valid);
    });

    it('reports nothing and stores nothing for an empty batch', async () => {
      expect(await repository.appendMany([])).toEqual({ results: [] });
      expect((await repository.query({ limit: 10 })).entries).toEqual([]);
    });

    it('commits a batch larger than one statement carries, every entry once', async () => {
      const entries = Array.from({ length: BATCH_LARGER_THAN_ONE_STATEMENT }, (_, i) =>
        makeEntry({ occurredAt: at(i % 700) }),
      );
      const result = await repository.appendMany([...entries, entries[0]!]);
      expect(result.results.filter((r) => r.status === 'committed')).toHaveLength(entries.length);
      expect(result.results.at(-1)?.status).toBe('duplicate');
      const { entries: walked } = await walk(repository, { limit: 1000 });
      expect(ids(walked)).toEqual(ids(newestFirst(entries)));
    });

    it('commits an entry given to batches made at the same time once, and reports it a duplicate to the others', async () => {
      const shared = makeEntry();
      const batches = Array.from({ length: 6 }, () => [makeEntry(), shared, makeEntry()]);
      const results = await Promise.all(batches.map((batch) => repository.appendMany(batch)));
      const sharedStatuses = results.map((result) => result.results[1]!.status);
      expect(sharedStatuses.filter((status) => status === 'committed')).toHaveLength(1);
      expect(sharedStatuses.filter((status) => status === 'duplicate')).toHaveLength(5);
      for (const result of results) {
        expect([result.results[0]!.status, result.results[2]!.status]).toEqual([
          'committed',
          'committed',
        ]);
      }
      expect((await walk(repository, { limit: 100 })).entries).toHaveLength(13);
    });

    it('commits each entry once when batches made at the same time share entries in other orders', async () => {
      const entries = Array.from({ length: 500 }, () => makeEntry());
      const orders = [
        entries,
        [...entries].reverse(),
        shuffled(entries),
        shuffled(entries).reverse(),
      ];
      const results = await Promise.all(orders.map((batch) => repository.appendMany(batch)));
      const committed = results.flatMap((result) =>
        result.results.filter((r) => r.status === 'committed').map((r) => r.id),
      );
      expect(committed.sort()).toEqual(ids(entries).sort());
      const others = results.flatMap((result) =>
        result.results.filter((r) => r.status !== 'committed'),
      );
      expect(new Set(others.map((r) => r.status))).toEqual(new Set(['duplicate']));
    });
  });
}
