/**
 * ReplicaReadRouting, the step that sends a PostgreSQL store's reads to its read replica: it
 * passes the repository contract whole, lists what the replica has, finds on the primary an
 * entry the replica lacks, and goes to the primary while the replica fails. Two memory
 * repositories stand for the primary and a replica that has not replayed everything; the real
 * servers are in read-replica.test.ts.
 */
import {
  type AuditLogEntryRepository,
  AuditLogEntryRepositoryDecorator,
  type AuditLogPage,
  InvalidCursorError,
} from '@policy-gateway/governance-runtime';
import { MemoryAuditLogEntryRepository } from '@policy-gateway/governance-runtime/memory';
import { describeAuditLogEntryRepositoryContract } from '@policy-gateway/governance-runtime/testing';
import { describe, expect, it } from 'vitest';
import { type ReplicaCircuit, ReplicaReadRouting } from '../src/store/replica-read-routing.js';
import { auditEntry } from './support/audit-entry-fixture.js';

/** A replica that is always tried, counting what became of the tries. */
function circuit(): ReplicaCircuit & { failures: unknown[]; successes: number; open: boolean } {
  const state = {
    failures: [] as unknown[],
    successes: 0,
    open: false,
    usable: async () => !state.open,
    failed: (error: unknown) => {
      state.failures.push(error);
      state.open = true;
    },
    succeeded: () => {
      state.successes += 1;
    },
    close: async () => undefined,
  };
  return state;
}

/** A replica whose reads fail as a server that went away does. */
class UnreachableReplica extends AuditLogEntryRepositoryDecorator {
  override async findById(): Promise<undefined> {
    throw new Error('connect ECONNREFUSED 127.0.0.1:5433');
  }
  override async query(): Promise<AuditLogPage> {
    throw new Error('connect ECONNREFUSED 127.0.0.1:5433');
  }
}

describeAuditLogEntryRepositoryContract({
  name: 'ReplicaReadRouting over a replica that has everything',
  durable: false,
  open: async () => {
    const memory = new MemoryAuditLogEntryRepository({ maxEntries: 10_000 });
    return new ReplicaReadRouting(memory, circuit(), memory);
  },
});

function routed(replicaEntries?: (replica: AuditLogEntryRepository) => AuditLogEntryRepository) {
  const primary = new MemoryAuditLogEntryRepository({ maxEntries: 100 });
  const replica = new MemoryAuditLogEntryRepository({ maxEntries: 100 });
  const state = circuit();
  const routing = new ReplicaReadRouting(primary, state, replicaEntries?.(replica) ?? replica);
  return { primary, replica, state, routing };
}

describe('ReplicaReadRouting', () => {
  it('lists what the replica has replayed, not what only the primary has yet', async () => {
    const { primary, replica, routing } = routed();
    const replayed = auditEntry(1);
    await primary.append(replayed);
    await replica.append(replayed);
    await routing.append(auditEntry(2));
    const page = await routing.query({ limit: 10 });
    expect(page.entries.map((entry) => entry.id)).toEqual([replayed.id]);
    expect((await primary.query({ limit: 10 })).entries).toHaveLength(2);
  });

  it('finds on the primary an entry the replica has not replayed yet', async () => {
    const { routing, replica } = routed();
    const fresh = auditEntry(3);
    await routing.append(fresh);
    expect(await replica.findById(fresh.id)).toBeUndefined();
    expect(await routing.findById(fresh.id)).toEqual(fresh);
    expect(await routing.findById('00000000-0000-4000-8000-000000000000')).toBeUndefined();
  });

  it('answers from the primary while the replica fails, and leaves it alone meanwhile', async () => {
    const { routing, state } = routed((replica) => new UnreachableReplica(replica));
    const entry = auditEntry(4);
    await routing.append(entry);
    expect((await routing.query({ limit: 10 })).entries.map((e) => e.id)).toEqual([entry.id]);
    expect(state.failures).toHaveLength(1);
    expect(await routing.findById(entry.id)).toEqual(entry);
    // Left alone while open: the second read did not try it again.
    expect(state.failures).toHaveLength(1);
  });

  it("refuses a bad cursor as the caller's error, without blaming the replica", async () => {
    const { routing, state } = routed();
    await expect(routing.query({ limit: 10, cursor: 'not-a-cursor' })).rejects.toBeInstanceOf(
      InvalidCursorError,
    );
    expect(state.failures).toEqual([]);
  });

  it('sends idempotency lookups to the primary, which a retry must see', async () => {
    const { routing, replica } = routed();
    const keyed = auditEntry(5, {
      idempotencyKey: 'key-1',
      requestDigest: `sha256:${'0'.repeat(64)}`,
    });
    await routing.append(keyed);
    expect(await replica.findByIdempotencyKey('alice', 'key-1')).toBeUndefined();
    expect(await routing.findByIdempotencyKey('alice', 'key-1')).toEqual(keyed);
  });
});
