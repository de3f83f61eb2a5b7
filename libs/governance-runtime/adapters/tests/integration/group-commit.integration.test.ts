/**
 * Group commit on the hash chain's write path (issue 12): concurrent appends share batches
 * (one transaction each), what watches the write path is told of each batch and can read the
 * queue depth.
 */
import { describe, expect, it } from 'vitest';
import type { AuditBatchWritten } from '../../../src/audit-write-observer.js';
import { HashChainedAuditLog } from '../../../src/hash-chained-audit-log.js';
import { makeEntry } from '../../../testing/audit-log-entry-fixtures.js';
import { MemoryAuditLogEntryRepository } from '../../memory/memory-audit-log-entry-repository.js';

describe('HashChainedAuditLog write observer', () => {
  it('tells the observer of each batch written and shows the entries still queued', async () => {
    const memory = new MemoryAuditLogEntryRepository({ maxEntries: 10_000 });
    const batches: AuditBatchWritten[] = [];
    const depths: number[] = [];
    const chain = new HashChainedAuditLog(memory, {
      maxBatchEntries: 50,
      writeObserver: {
        batchWritten: (batch) => {
          batches.push(batch);
          depths.push(chain.queuedEntries);
        },
      },
    });
    const appends = Array.from({ length: 200 }, () => chain.append(makeEntry()));
    expect(chain.queuedEntries).toBe(200);
    await Promise.all(appends);
    expect(chain.queuedEntries).toBe(0);
    expect(batches.map((b) => b.entries)).toEqual([50, 50, 50, 50]);
    expect(batches.every((b) => !b.failed && b.durationMs >= 0)).toBe(true);
    // Seen after each batch: what was still waiting for the next ones.
    expect(depths).toEqual([150, 100, 50, 0]);
  });

  it('reports a batch the storage failed as failed', async () => {
    const memory = new MemoryAuditLogEntryRepository({ maxEntries: 10_000 });
    const batches: AuditBatchWritten[] = [];
    const chain = new HashChainedAuditLog(memory, {
      writeObserver: { batchWritten: (batch) => batches.push(batch) },
    });
    await chain.append(makeEntry());
    await memory.close();
    await expect(chain.append(makeEntry())).rejects.toThrow();
    expect(batches.map((b) => b.failed)).toEqual([false, true]);
  });
});
