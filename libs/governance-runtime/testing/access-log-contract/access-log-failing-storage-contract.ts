/**
 * The contract when the storage refuses a write (for harnesses that can make it): `append`
 * rejects with the storage's own error and nothing is stored, which is what lets the gateway
 * refuse the read it was recording (fail-closed); other records still commit.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { AccessLogRepository } from '../../src/access-log-repository.js';
import { DuplicateAccessLogRecordError } from '../../src/duplicate-access-log-record-error.js';
import { InvalidAccessLogRecordError } from '../../src/invalid-access-log-record-error.js';
import { makeAccessLogRecord } from '../access-log-record-fixtures.js';
import { at } from '../audit-log-entry-fixtures.js';
import { type AccessLogContractContext, recordIds } from './access-log-contract-context.js';

/** The principal whose records the storage is made to refuse. */
const REFUSED_PRINCIPAL = 'key:refused-by-the-storage';

export function describeAccessLogFailingStorageContract(
  context: AccessLogContractContext,
  failWritesOf: (principalId: string) => Promise<void>,
): void {
  describe('when the storage refuses a write', () => {
    let repository: AccessLogRepository;
    const stored = makeAccessLogRecord({ occurredAt: at(0) });

    beforeEach(async () => {
      repository = context.repository();
      await repository.append(stored);
      await failWritesOf(REFUSED_PRINCIPAL);
    });

    it("rejects the append with the storage's own error and stores nothing", async () => {
      const error = await repository
        .append(makeAccessLogRecord({ occurredAt: at(1), principalId: REFUSED_PRINCIPAL }))
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
      expect(error).not.toBeInstanceOf(DuplicateAccessLogRecordError);
      expect(error).not.toBeInstanceOf(InvalidAccessLogRecordError);
      expect(recordIds((await repository.query({ limit: 10 })).records)).toEqual([stored.id]);
    });

    it('commits the next record that the storage accepts', async () => {
      await repository
        .append(makeAccessLogRecord({ principalId: REFUSED_PRINCIPAL }))
        .catch(() => undefined);
      const next = makeAccessLogRecord({ occurredAt: at(2) });
      await repository.append(next);
      expect(recordIds((await repository.query({ limit: 10 })).records)).toEqual([
        next.id,
        stored.id,
      ]);
    });
  });
}
