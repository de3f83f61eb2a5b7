/**
 * The contract of `AccessLogRepository` as one Vitest suite, for any implementation of the
 * port (an adapter, or an adapter behind decorators), so that the memory and PostgreSQL
 * adapters cannot drift apart and a new one runs all of it with one call.
 *
 * @example
 * describeAccessLogRepositoryContract(memoryAccessLogHarness());
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AccessLogRepository } from '../src/access-log-repository.js';
import { describeAccessLogAppendContract } from './access-log-contract/access-log-append-contract.js';
import { describeAccessLogFailingStorageContract } from './access-log-contract/access-log-failing-storage-contract.js';
import { describeAccessLogQueryContract } from './access-log-contract/access-log-query-contract.js';
import type { AccessLogRepositoryHarness } from './access-log-repository-harness.js';

export function describeAccessLogRepositoryContract(harness: AccessLogRepositoryHarness): void {
  describe(`AccessLogRepository contract: ${harness.name}`, () => {
    let repository: AccessLogRepository | undefined;
    const context = { harness, repository: () => repository! };

    beforeAll(async () => {
      await harness.setUp?.();
    });
    afterAll(async () => {
      await harness.tearDown?.();
    });
    beforeEach(async () => {
      repository = await harness.open();
    });
    afterEach(async () => {
      await repository?.close();
      repository = undefined;
    });

    it(`reports durable = ${harness.durable}`, () => {
      expect(context.repository().durable).toBe(harness.durable);
    });

    describeAccessLogAppendContract(context);
    describeAccessLogQueryContract(context);
    const { failWritesOf } = harness;
    if (failWritesOf !== undefined) {
      describeAccessLogFailingStorageContract(context, (principalId) =>
        failWritesOf.call(harness, principalId),
      );
    }
  });
}
