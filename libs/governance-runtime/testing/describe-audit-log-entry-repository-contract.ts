/**
 * The contract of `AuditLogEntryRepository` as one Vitest suite, for any implementation
 * of the port: an adapter, or an adapter behind decorators. Every adapter of the library
 * runs it, so that they cannot drift apart, and a new backend or decorator runs all of it
 * with one call.
 *
 * @example
 * describeAuditLogEntryRepositoryContract(memoryRepositoryHarness());
 * describeAuditLogEntryRepositoryContract({
 *   name: 'my backend',
 *   durable: true,
 *   open: async () => new MyAuditLogEntryRepository(),
 * });
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AuditLogEntryRepository } from '../src/audit-log-entry-repository.js';
import type { AuditLogEntryRepositoryHarness } from './audit-log-entry-repository-harness.js';
import { describeAppendContract } from './contract/append-contract.js';
import { describeAppendManyContract } from './contract/append-many-contract.js';
import { describeAtomicAppendManyContract } from './contract/atomic-append-many-contract.js';
import { describeFailingStorageContract } from './contract/failing-storage-contract.js';
import { describeIdempotencyKeyContract } from './contract/idempotency-key-contract.js';
import { describeQueryContract } from './contract/query-contract.js';

export function describeAuditLogEntryRepositoryContract(
  harness: AuditLogEntryRepositoryHarness,
): void {
  describe(`AuditLogEntryRepository contract: ${harness.name}`, () => {
    let repository: AuditLogEntryRepository | undefined;
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

    describeAppendContract(context);
    describeAppendManyContract(context);
    describeAtomicAppendManyContract(context);
    describeIdempotencyKeyContract(context);
    describeQueryContract(context);
    const { failWritesOf } = harness;
    if (failWritesOf !== undefined) {
      describeFailingStorageContract(context, (userId) => failWritesOf.call(harness, userId));
    }
  });
}
