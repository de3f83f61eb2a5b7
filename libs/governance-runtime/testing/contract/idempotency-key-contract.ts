/**
 * The contract of idempotency keys: among a user's entries that decided (`allow`, `deny`),
 * at most one holds a given key, whichever way and however concurrently entries arrive; an
 * entry of a failed evaluation (`error`) keeps its key without holding it; and
 * `findByIdempotencyKey` finds the one that holds it. This is what lets the gateway record a
 * retried request once.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { AuditLogEntry } from '../../src/audit-log-entry.js';
import type { AuditLogEntryRepository } from '../../src/audit-log-entry-repository.js';
import { DuplicateAuditLogEntryError } from '../../src/duplicate-audit-log-entry-error.js';
import { DuplicateIdempotencyKeyError } from '../../src/duplicate-idempotency-key-error.js';
import { InvalidAuditLogEntryError } from '../../src/invalid-audit-log-entry-error.js';
import { at, makeEntry } from '../audit-log-entry-fixtures.js';
import { statuses } from './append-many-contract.js';
import { type ContractContext, ids, unchained, walk } from './contract-support.js';

const DIGEST = `sha256:${'ab'.repeat(32)}`;

function keyed(key: string, overrides: Partial<AuditLogEntry> = {}): AuditLogEntry {
  return makeEntry({ idempotencyKey: key, requestDigest: DIGEST, ...overrides });
}

export function describeIdempotencyKeyContract(context: ContractContext): void {
  describe('idempotency keys', () => {
    let repository: AuditLogEntryRepository;

    beforeEach(() => {
      repository = context.repository();
    });

    async function storedIds(): Promise<string[]> {
      return ids((await walk(repository, { limit: 100 })).entries).sort();
    }

    it('round-trips the key and the request digest, and finds the entry by user and key', async () => {
      const entry = keyed('8e03978e-40d5-43e8-bc93-6894a57f9324', { userId: 'alice' });
      await repository.append(entry);
      expect(unchained(await repository.findById(entry.id))).toStrictEqual(entry);
      expect(
        unchained(await repository.findByIdempotencyKey('alice', entry.idempotencyKey!)),
      ).toStrictEqual(entry);
    });

    it('finds nothing for another user, another key or another letter case', async () => {
      await repository.append(keyed('Key-1', { userId: 'alice' }));
      expect(await repository.findByIdempotencyKey('bob', 'Key-1')).toBeUndefined();
      expect(await repository.findByIdempotencyKey('alice', 'Key-2')).toBeUndefined();
      expect(await repository.findByIdempotencyKey('alice', 'key-1')).toBeUndefined();
    });

    it("refuses a second decision under a user's key and leaves the first intact", async () => {
      const first = keyed('k', { userId: 'alice', decision: 'allow' });
      await repository.append(first);
      const second = keyed('k', { userId: 'alice', decision: 'deny', occurredAt: at(1) });
      const error = await repository.append(second).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DuplicateIdempotencyKeyError);
      // A kind of duplicate, so that a caller that knows only duplicates still does right.
      expect(error).toBeInstanceOf(DuplicateAuditLogEntryError);
      expect(error).toMatchObject({ id: second.id, userId: 'alice', idempotencyKey: 'k' });
      expect(await storedIds()).toEqual([first.id]);
      expect(unchained(await repository.findByIdempotencyKey('alice', 'k'))).toStrictEqual(first);
    });

    it('keeps the same key apart for different users', async () => {
      const alice = keyed('shared', { userId: 'alice' });
      const bob = keyed('shared', { userId: 'bob' });
      await repository.append(alice);
      await repository.append(bob);
      expect(unchained(await repository.findByIdempotencyKey('bob', 'shared'))).toStrictEqual(bob);
      expect(await storedIds()).toEqual([alice.id, bob.id].sort());
    });

    it('stores failed evaluations under a key without letting them hold it', async () => {
      const failures = [1, 2].map((n) =>
        keyed('retried', { decision: 'error', error: 'OPA unreachable', occurredAt: at(n) }),
      );
      for (const failure of failures) await repository.append(failure);
      expect(await repository.findByIdempotencyKey('user-1', 'retried')).toBeUndefined();
      const decided = keyed('retried', { decision: 'deny', occurredAt: at(3) });
      await repository.append(decided);
      expect(unchained(await repository.findByIdempotencyKey('user-1', 'retried'))).toStrictEqual(
        decided,
      );
      await repository.append(
        keyed('retried', { decision: 'error', error: 'late failure', occurredAt: at(4) }),
      );
      await expect(
        repository.append(keyed('retried', { decision: 'allow', occurredAt: at(5) })),
      ).rejects.toBeInstanceOf(DuplicateIdempotencyKeyError);
      expect(await storedIds()).toHaveLength(4);
    });

    it('never lets entries without a key conflict', async () => {
      const entries = [1, 2, 3].map((n) => makeEntry({ occurredAt: at(n) }));
      for (const entry of entries) await repository.append(entry);
      expect(await storedIds()).toEqual(ids(entries).sort());
    });

    it('reports a batch entry whose key is stored, or earlier in the batch, as a duplicate of its key', async () => {
      const stored = keyed('taken');
      await repository.append(stored);
      const taken = keyed('taken', { occurredAt: at(1) });
      const fresh = keyed('fresh', { occurredAt: at(2) });
      const again = keyed('fresh', { occurredAt: at(3) });
      const failed = keyed('fresh', { decision: 'error', error: 'x', occurredAt: at(4) });
      const result = await repository.appendMany([taken, fresh, again, failed]);
      expect(statuses(result)).toEqual([
        [taken.id, 'duplicate'],
        [fresh.id, 'committed'],
        [again.id, 'duplicate'],
        [failed.id, 'committed'],
      ]);
      for (const index of [0, 2]) {
        expect(result.results[index]).toMatchObject({
          error: expect.any(DuplicateIdempotencyKeyError),
        });
      }
      expect(await storedIds()).toEqual([stored.id, fresh.id, failed.id].sort());
    });

    it('commits exactly one of many concurrent appends under one key', async () => {
      const contenders = Array.from({ length: 8 }, (_, n) => keyed('raced', { occurredAt: at(n) }));
      const outcomes = await Promise.allSettled(contenders.map((e) => repository.append(e)));
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      for (const outcome of outcomes) {
        if (outcome.status === 'rejected') {
          expect(outcome.reason).toBeInstanceOf(DuplicateIdempotencyKeyError);
        }
      }
      expect(await storedIds()).toHaveLength(1);
    });

    it('refuses a key without a request digest, and a key longer than 255 characters', async () => {
      await expect(
        repository.append(makeEntry({ idempotencyKey: 'k', requestDigest: null })),
      ).rejects.toMatchObject({ field: 'requestDigest' });
      await expect(repository.append(keyed('k'.repeat(256)))).rejects.toBeInstanceOf(
        InvalidAuditLogEntryError,
      );
      await expect(repository.append(keyed(''))).rejects.toMatchObject({
        field: 'idempotencyKey',
      });
      await repository.append(keyed('k'.repeat(255)));
      expect(await storedIds()).toHaveLength(1);
    });
  });
}
