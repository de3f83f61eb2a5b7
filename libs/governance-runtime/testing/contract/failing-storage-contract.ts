/**
 * The contract when the storage fails (for harnesses that can make it fail): `append`
 * rejects with the storage's own error, and `appendMany` commits none of the batch,
 * reporting every entry that was not invalid as failed with that error.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { AuditLogEntryRepository } from '../../src/audit-log-entry-repository.js';
import { DuplicateAuditLogEntryError } from '../../src/duplicate-audit-log-entry-error.js';
import { InvalidAuditLogEntryError } from '../../src/invalid-audit-log-entry-error.js';
import { at, makeEntry } from '../audit-log-entry-fixtures.js';
import { BATCH_LARGER_THAN_ONE_STATEMENT, statuses } from './append-many-contract.js';
import { type ContractContext, ids } from './contract-support.js';

/** The user whose entries the storage is made to refuse. */
const REFUSED_USER = 'refused-by-the-storage';

export function describeFailingStorageContract(
  context: ContractContext,
  failWritesOf: (userId: string) => Promise<void>,
): void {
  describe('when the storage fails', () => {
    let repository: AuditLogEntryRepository;
    const stored = makeEntry({ occurredAt: at(0) });

    beforeEach(async () => {
      repository = context.repository();
      await repository.append(stored);
      await failWritesOf(REFUSED_USER);
    });

    it("rejects an append with the storage's own error and stores nothing", async () => {
      const error = await repository
        .append(makeEntry({ userId: REFUSED_USER }))
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
      expect(error).not.toBeInstanceOf(DuplicateAuditLogEntryError);
      expect(error).not.toBeInstanceOf(InvalidAuditLogEntryError);
      expect(ids((await repository.query({ limit: 10 })).entries)).toEqual([stored.id]);
    });

    it('commits none of a batch and reports every valid entry failed with the error', async () => {
      const good = makeEntry({ occurredAt: at(1) });
      const refused = makeEntry({ occurredAt: at(2), userId: REFUSED_USER });
      const invalid = makeEntry({ latencyMs: -1 });
      const repeated = makeEntry({ id: good.id });
      const result = await repository.appendMany([good, refused, invalid, repeated]);
      expect(statuses(result)).toEqual([
        [good.id, 'failed'],
        [refused.id, 'failed'],
        [invalid.id, 'invalid'],
        [good.id, 'failed'],
      ]);
      expect(result.error).toBeInstanceOf(Error);
      for (const outcome of result.results) {
        if (outcome.status === 'failed') expect(outcome.error).toBe(result.error);
      }
      expect(ids((await repository.query({ limit: 10 })).entries)).toEqual([stored.id]);
    });

    it('commits none of a batch larger than one statement carries when only its last entry is refused', async () => {
      const entries = Array.from({ length: BATCH_LARGER_THAN_ONE_STATEMENT }, (_, i) =>
        makeEntry({ occurredAt: at(i + 1) }),
      );
      const refused = makeEntry({ occurredAt: at(0), userId: REFUSED_USER });
      const result = await repository.appendMany([...entries, refused]);
      expect(new Set(result.results.map((outcome) => outcome.status))).toEqual(new Set(['failed']));
      expect(ids((await repository.query({ limit: 10 })).entries)).toEqual([stored.id]);
    });

    it('commits none of an all-or-nothing batch and reports every entry failed with the error', async () => {
      const good = makeEntry({ occurredAt: at(1) });
      const refused = makeEntry({ occurredAt: at(2), userId: REFUSED_USER });
      const result = await repository.appendMany([good, refused], { atomic: true });
      expect(statuses(result)).toEqual([
        [good.id, 'failed'],
        [refused.id, 'failed'],
      ]);
      expect(result.error).toBeInstanceOf(Error);
      expect(ids((await repository.query({ limit: 10 })).entries)).toEqual([stored.id]);
    });

    it('commits a later batch without the refused entry', async () => {
      const refused = makeEntry({ userId: REFUSED_USER });
      await repository.appendMany([makeEntry(), refused]);
      const entry = makeEntry({ occurredAt: at(5) });
      expect(statuses(await repository.appendMany([entry]))).toEqual([[entry.id, 'committed']]);
    });
  });
}
