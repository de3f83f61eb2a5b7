/**
 * The contract of an all-or-nothing `appendMany` (`{ atomic: true }`), which a hash chain
 * needs so that a batch of consecutive sequence numbers is never committed in part: either
 * every entry is committed, or none is, and the result names the entries that could not be
 * stored (duplicates, invalid) while the others failed with `AtomicBatchRefusedError`. Also
 * the chain link of an entry (migration 007) comes back as written, from `findById` and
 * `query`.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { AppendManyResult } from '../../src/append-many-result.js';
import { AtomicBatchRefusedError } from '../../src/atomic-batch-refused-error.js';
import type { AuditLogEntry } from '../../src/audit-log-entry.js';
import type { AuditLogEntryRepository } from '../../src/audit-log-entry-repository.js';
import { DuplicateAuditLogEntryError } from '../../src/duplicate-audit-log-entry-error.js';
import { DuplicateIdempotencyKeyError } from '../../src/duplicate-idempotency-key-error.js';
import { InvalidAuditLogEntryError } from '../../src/invalid-audit-log-entry-error.js';
import { newAuditLogEntryId } from '../../src/new-audit-log-entry-id.js';
import { at, makeEntry } from '../audit-log-entry-fixtures.js';
import { BATCH_LARGER_THAN_ONE_STATEMENT, statuses } from './append-many-contract.js';
import { type ContractContext, ids, newestFirst, unchained, walk } from './contract-support.js';

function errorOf(result: AppendManyResult, index: number): unknown {
  const outcome = result.results[index]!;
  return outcome.status === 'committed' ? undefined : outcome.error;
}

function keyed(userId: string, key: string): Partial<AuditLogEntry> {
  return { userId, idempotencyKey: key, requestDigest: `sha256:${key}` };
}

export function describeAtomicAppendManyContract(context: ContractContext): void {
  describe('appendMany, all or nothing', () => {
    let repository: AuditLogEntryRepository;

    beforeEach(() => {
      repository = context.repository();
    });

    it('commits every entry of a batch that can be stored whole', async () => {
      const entries = Array.from({ length: 5 }, (_, i) => makeEntry({ occurredAt: at(i) }));
      const result = await repository.appendMany(entries, { atomic: true });
      expect(statuses(result)).toEqual(entries.map((e) => [e.id, 'committed']));
      expect(result.error).toBeUndefined();
      expect(ids((await repository.query({ limit: 10 })).entries)).toEqual(
        ids(newestFirst(entries)),
      );
    });

    it('commits nothing when one id is already stored: that one is a duplicate, the others failed', async () => {
      const stored = makeEntry({ userId: 'first' });
      await repository.append(stored);
      const [a, b] = [makeEntry({ occurredAt: at(1) }), makeEntry({ occurredAt: at(2) })];
      const again = makeEntry({ id: stored.id, userId: 'second' });
      const result = await repository.appendMany([a, again, b], { atomic: true });
      expect(statuses(result)).toEqual([
        [a.id, 'failed'],
        [stored.id, 'duplicate'],
        [b.id, 'failed'],
      ]);
      expect(errorOf(result, 1)).toBeInstanceOf(DuplicateAuditLogEntryError);
      expect(errorOf(result, 0)).toBeInstanceOf(AtomicBatchRefusedError);
      expect(result.error).toBeInstanceOf(AtomicBatchRefusedError);
      expect((result.error as AtomicBatchRefusedError).refusedIds).toEqual([stored.id]);
      expect(unchained(await repository.findById(stored.id))).toStrictEqual(stored);
      expect(ids((await repository.query({ limit: 10 })).entries)).toEqual([stored.id]);
    });

    it("commits nothing when one entry's idempotency key is held, and says which key", async () => {
      const holder = makeEntry(keyed('u', 'k-1'));
      await repository.append(holder);
      const other = makeEntry({ occurredAt: at(1) });
      const retry = makeEntry({ ...keyed('u', 'k-1'), occurredAt: at(2) });
      const result = await repository.appendMany([other, retry], { atomic: true });
      expect(statuses(result)).toEqual([
        [other.id, 'failed'],
        [retry.id, 'duplicate'],
      ]);
      expect(errorOf(result, 1)).toBeInstanceOf(DuplicateIdempotencyKeyError);
      expect(ids((await repository.query({ limit: 10 })).entries)).toEqual([holder.id]);
    });

    it('commits nothing when an id or a key repeats within the batch, or an entry is invalid', async () => {
      const first = makeEntry();
      const cases: { batch: AuditLogEntry[]; expected: string[] }[] = [
        {
          batch: [first, makeEntry(), makeEntry({ id: first.id })],
          expected: ['failed', 'failed', 'duplicate'],
        },
        {
          batch: [makeEntry(keyed('v', 'k')), makeEntry(), makeEntry(keyed('v', 'k'))],
          expected: ['failed', 'failed', 'duplicate'],
        },
        {
          batch: [makeEntry(), makeEntry({ latencyMs: -1 }), makeEntry()],
          expected: ['failed', 'invalid', 'failed'],
        },
      ];
      for (const { batch, expected } of cases) {
        const result = await repository.appendMany(batch, { atomic: true });
        expect(result.results.map((r) => r.status)).toEqual(expected);
        expect(errorOf(result, 0)).toBeInstanceOf(AtomicBatchRefusedError);
      }
      expect((await repository.query({ limit: 10 })).entries).toEqual([]);
    });

    it('commits nothing of a batch larger than one statement whose last entry is a duplicate', async () => {
      const stored = makeEntry();
      await repository.append(stored);
      const batch = Array.from({ length: BATCH_LARGER_THAN_ONE_STATEMENT }, (_, i) =>
        makeEntry({ occurredAt: at(i + 1) }),
      );
      batch.push(makeEntry({ id: stored.id }));
      const result = await repository.appendMany(batch, { atomic: true });
      expect(result.results.filter((r) => r.status === 'failed')).toHaveLength(
        BATCH_LARGER_THAN_ONE_STATEMENT,
      );
      expect(result.results.at(-1)?.status).toBe('duplicate');
      expect(ids((await repository.query({ limit: 10 })).entries)).toEqual([stored.id]);
    });

    // A repository behind the hash chain assigns links itself (its own tests check them), so
    // these two cases apply to bare adapters only and are not declared for chained ones.
    const itUnchained = context.harness.chains === true ? () => {} : it;
    itUnchained(
      'stores the chain link of each entry and returns it from findById and query',
      async () => {
        const chainId = newAuditLogEntryId();
        const entries = [1, 2, 3].map((seq) =>
          makeEntry({
            occurredAt: at(seq),
            chain: {
              chainId: chainId.toUpperCase(),
              seq,
              prevHash: String(seq - 1).repeat(64),
              entryHash: String(seq).repeat(64),
            },
          }),
        );
        const result = await repository.appendMany(entries, { atomic: true });
        expect(result.error).toBeUndefined();
        const plain = makeEntry({ occurredAt: at(4) });
        await repository.append(plain);
        for (const entry of entries) {
          expect(await repository.findById(entry.id)).toStrictEqual({
            ...entry,
            chain: { ...entry.chain, chainId },
          });
        }
        expect(await repository.findById(plain.id)).toStrictEqual(plain);
        const { entries: walked } = await walk(repository, { limit: 2 });
        expect(walked.map((e) => e.chain?.seq ?? null)).toEqual([null, 3, 2, 1]);
      },
    );

    itUnchained('refuses a chain link that is not well-formed, naming the member', async () => {
      const link = { chainId: newAuditLogEntryId(), seq: 1, prevHash: 'a'.repeat(64) };
      const cases = [
        { chain: { ...link, entryHash: 'not-hex' }, field: 'chain.entryHash' },
        { chain: { ...link, seq: 0, entryHash: 'b'.repeat(64) }, field: 'chain.seq' },
        { chain: { ...link, chainId: 'x', entryHash: 'b'.repeat(64) }, field: 'chain.chainId' },
      ];
      for (const c of cases) {
        const error = await repository.append(makeEntry({ chain: c.chain })).catch((e) => e);
        expect(error).toBeInstanceOf(InvalidAuditLogEntryError);
        expect((error as InvalidAuditLogEntryError).field).toBe(c.field);
      }
    });
  });
}
