/**
 * The contract of `append` and `findById`: an entry comes back exactly as written, in one
 * canonical form; one the storage could not keep faithfully, or whose id is taken, is
 * refused and nothing is stored.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { AuditLogEntryRepository } from '../../src/audit-log-entry-repository.js';
import { DuplicateAuditLogEntryError } from '../../src/duplicate-audit-log-entry-error.js';
import { InvalidAuditLogEntryError } from '../../src/invalid-audit-log-entry-error.js';
import { at, makeEntry } from '../audit-log-entry-fixtures.js';
import { type ContractContext, ids, newestFirst, unchained, walk } from './contract-support.js';

export function describeAppendContract(context: ContractContext): void {
  describe('append and findById', () => {
    let repository: AuditLogEntryRepository;

    beforeEach(() => {
      repository = context.repository();
    });

    it('returns an appended entry from findById with every field exactly as written', async () => {
      const entry = makeEntry({
        occurredAt: '2026-11-28T07:18:50.123456Z',
        userId: 'ユーザー-ü-😀',
        principalId: 'oidc:ユーザー-ü-😀@https://idp.example.com/realms/acme',
        decision: 'deny',
        reasons: [
          { code: 'pii.email', message: 'Le prompt contient une adresse e-mail', severity: 'high' },
          { code: 'secret.aws_access_key', message: 'AWS key «AKIA…»', severity: 'critical' },
        ],
        input: {
          prompt: 'mail me at jane@example.com — 日本語 🚀',
          context: { nested: { deep: [1, 2.5, -3e-7, true, null, { k: 'v' }] }, empty: {} },
          unicode_key_é: 'value',
          big: 9_007_199_254_740_991,
        },
        result: { allow: false, reasons: [{ code: 'pii.email' }] },
        latencyMs: 1.234567,
        requestId: 'req-42',
        clientRequestId: 'client-req-42',
        clientAddress: '2001:db8::1',
        userAgent: 'curl/8.5.0',
        gatewayInstance: 'gw-a:1234',
      });
      await repository.append(entry);
      expect(unchained(await repository.findById(entry.id))).toStrictEqual(entry);
    });

    it('round-trips an error entry with a null result, error text and null request fields', async () => {
      const entry = makeEntry({
        decision: 'error',
        result: null,
        error: 'OPA unreachable: connect ECONNREFUSED 127.0.0.1:8181',
        requestId: null,
        clientRequestId: null,
        clientAddress: null,
        userAgent: null,
        // As entries written before principals were recorded read back.
        principalId: null,
      });
      await repository.append(entry);
      expect(unchained(await repository.findById(entry.id))).toStrictEqual(entry);
    });

    it('refuses an entry whose principalId is an empty string, and stores nothing', async () => {
      const entry = makeEntry({ principalId: '' });
      await expect(repository.append(entry)).rejects.toBeInstanceOf(InvalidAuditLogEntryError);
      expect(await repository.findById(entry.id)).toBeUndefined();
    });

    it('stores timestamps in canonical UTC microseconds whatever offset they were given in', async () => {
      const entry = makeEntry({ occurredAt: '2026-11-28T08:18:50.5+01:00' });
      await repository.append(entry);
      const stored = await repository.findById(entry.id);
      expect(stored?.occurredAt).toBe('2026-11-28T07:18:50.500000Z');
    });

    it('stores JSON as JSON: undefined members vanish, key order does not matter', async () => {
      const entry = makeEntry({ input: { b: 1, a: undefined, c: [undefined, 2] } });
      await repository.append(entry);
      const stored = await repository.findById(entry.id);
      expect(stored?.input).toStrictEqual({ b: 1, c: [null, 2] });
    });

    it('round-trips every JS number exactly, however large, small or precise', async () => {
      const numbers = [0.1, 1e21, 5e-324, 1.7976931348623157e308, -2.5e-7, 2 ** 60 + 2 ** 10];
      const entry = makeEntry({ input: { numbers }, result: numbers });
      await repository.append(entry);
      const stored = await repository.findById(entry.id);
      expect(stored?.input).toStrictEqual({ numbers });
      expect(stored?.result).toStrictEqual(numbers);
    });

    it('finds nothing for an unknown id, and for a string that is not a UUID', async () => {
      await repository.append(makeEntry());
      expect(await repository.findById('01900000-0000-7000-8000-000000000000')).toBeUndefined();
      expect(await repository.findById('not-a-uuid')).toBeUndefined();
    });

    it('commits every one of many appends made at the same time', async () => {
      const entries = Array.from({ length: 40 }, (_, i) => makeEntry({ occurredAt: at(i % 4) }));
      await Promise.all(entries.map((entry) => repository.append(entry)));
      const { entries: walked } = await walk(repository, { limit: 7 });
      expect(ids(walked)).toEqual(ids(newestFirst(entries)));
    });

    it('round-trips a 64 KiB prompt', async () => {
      const prompt = 'Ünïcødé prompt 🚀 '.repeat(3500).slice(0, 64 * 1024);
      const entry = makeEntry({ input: { prompt } });
      await repository.append(entry);
      expect((await repository.findById(entry.id))?.input).toStrictEqual({ prompt });
    });

    it('finds an entry by its id written in upper case', async () => {
      const entry = makeEntry();
      await repository.append(entry);
      expect((await repository.findById(entry.id.toUpperCase()))?.id).toBe(entry.id);
    });

    it('rejects a second entry with the same id and keeps the first one intact', async () => {
      const first = makeEntry({ decision: 'allow', userId: 'first' });
      await repository.append(first);
      await expect(
        repository.append(makeEntry({ id: first.id, decision: 'deny', userId: 'second' })),
      ).rejects.toBeInstanceOf(DuplicateAuditLogEntryError);
      expect(unchained(await repository.findById(first.id))).toStrictEqual(first);
      expect((await repository.query({ limit: 10 })).entries).toHaveLength(1);
    });

    it.each([
      {
        note: 'NUL in the prompt',
        entry: { input: { prompt: 'a\u0000b' } },
        field: 'input.prompt',
      },
      { note: 'unpaired surrogate in the user id', entry: { userId: 'x\ud800' }, field: 'userId' },
      {
        note: 'timestamp without a zone',
        entry: { occurredAt: '2026-11-28T07:18:50' },
        field: 'occurredAt',
      },
      { note: 'id that is not a UUID', entry: { id: 'entry-1' }, field: 'id' },
      { note: 'negative latency', entry: { latencyMs: -1 }, field: 'latencyMs' },
      { note: 'a BigInt in the input', entry: { input: { n: 10n } }, field: 'input' },
    ])('refuses an entry it could not store faithfully ($note) and stores nothing', async (c) => {
      const error = await repository.append(makeEntry(c.entry)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidAuditLogEntryError);
      expect((error as InvalidAuditLogEntryError).field).toBe(c.field);
      expect((await repository.query({ limit: 10 })).entries).toEqual([]);
    });
  });
}
