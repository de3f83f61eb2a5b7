/**
 * The memory store's trail, verified like a database's: a real chain (`HashChainedAuditLog`
 * with its `ChainCheckpointer`) over the memory repository and its chain index, read back by
 * `MemoryAuditTrailReader` for `verifyAuditTrail`, including the start its bound dropped.
 */
import { describe, expect, it } from 'vitest';
import { generateAuditSigningKey, publicKeyOf } from '../../src/audit-signing-key.js';
import { verifyAuditTrail } from '../../src/audit-trail-verifier.js';
import { ChainCheckpointer } from '../../src/chain-checkpointer.js';
import { HashChainedAuditLog } from '../../src/hash-chained-audit-log.js';
import { at, makeEntry } from '../../testing/audit-log-entry-fixtures.js';
import { MemoryAuditCheckpointRepository } from '../memory/memory-audit-checkpoint-repository.js';
import { MemoryAuditLogEntryRepository } from '../memory/memory-audit-log-entry-repository.js';
import {
  MEMORY_BOUND_PARTITION,
  MemoryAuditTrailReader,
} from '../memory/memory-audit-trail-reader.js';
import { MemoryChainIndex } from '../memory/memory-chain-index.js';

/**
 * A memory store with `maxEntries`, `count` chained entries written, signed every 10 (the
 * chain left open, as a serving gateway's is: its newest entries are an unsealed tail).
 */
async function writtenTrail(options: { maxEntries: number; count: number }) {
  const { key } = generateAuditSigningKey();
  const checkpoints = new MemoryAuditCheckpointRepository();
  await checkpoints.registerSigningKey(publicKeyOf(key));
  const index = new MemoryChainIndex(
    new MemoryAuditLogEntryRepository({ maxEntries: options.maxEntries }),
  );
  const chain = new HashChainedAuditLog(index, {
    observer: new ChainCheckpointer({
      repository: checkpoints,
      key,
      instance: 'test:1',
      everyEntries: 10,
      intervalMs: 0,
    }),
  });
  for (let i = 0; i < options.count; i += 1) {
    await chain.append(makeEntry({ occurredAt: at(i) }));
  }
  return { key, checkpoints, index };
}

describe('MemoryAuditTrailReader', () => {
  it('reads back a chain the verifier finds intact, with its checkpoints', async () => {
    const { checkpoints, index } = await writtenTrail({ maxEntries: 100, count: 25 });
    const result = await verifyAuditTrail(new MemoryAuditTrailReader(index, checkpoints));
    expect(result).toMatchObject({ intact: true, entriesChecked: 25, chains: 1, checkpoints: 2 });
    expect(result.heads[0]).toMatchObject({ seq: 25, checkpointSeq: 20, final: false });
    expect(result.problemCounts['unsealed-tail']).toBe(1);
  });

  it("vouches for the start the store's bound dropped with a record signed by the gateway's key", async () => {
    const { key, checkpoints, index } = await writtenTrail({ maxEntries: 10, count: 25 });
    const reader = new MemoryAuditTrailReader(index, checkpoints, {
      retentionKey: key,
      removedBy: 'test:1',
    });
    const result = await verifyAuditTrail(reader);
    expect(result.intact).toBe(true);
    expect(result.entriesChecked).toBe(10);
    expect(result.retention).toEqual([
      expect.objectContaining({
        removedThroughSeq: 15,
        partition: MEMORY_BOUND_PARTITION,
        verifiedThroughSeq: 25,
      }),
    ]);
  });

  it('reports the dropped start as missing when no key signs the cut', async () => {
    const { checkpoints, index } = await writtenTrail({ maxEntries: 10, count: 25 });
    const result = await verifyAuditTrail(new MemoryAuditTrailReader(index, checkpoints));
    expect(result.intact).toBe(false);
    expect(result.problemCounts.missing).toBeGreaterThan(0);
  });

  it('refuses a cut record signed by a key the store does not know', async () => {
    const { checkpoints, index } = await writtenTrail({ maxEntries: 10, count: 25 });
    const stranger = generateAuditSigningKey().key;
    const reader = new MemoryAuditTrailReader(index, checkpoints, { retentionKey: stranger });
    const result = await verifyAuditTrail(reader);
    expect(result.intact).toBe(false);
    expect(result.problems.map((p) => p.kind)).toContain('unknown-key');
  });

  it('verifies a time range from the checkpoint before it, as the incremental runs do', async () => {
    const { checkpoints, index } = await writtenTrail({ maxEntries: 100, count: 25 });
    const result = await verifyAuditTrail(new MemoryAuditTrailReader(index, checkpoints), {
      range: { since: at(14) },
    });
    expect(result.intact).toBe(true);
    // From the checkpoint at seq 10 on: seqs 11–25.
    expect(result.entriesChecked).toBe(15);
  });

  it('holds no more entries than the store it indexes', async () => {
    const { index } = await writtenTrail({ maxEntries: 10, count: 25 });
    const [chainId] = index.chainIds();
    expect(index.chainEntries(chainId!).length).toBe(10);
    expect(index.cutOf(chainId!)?.lastRemovedSeq).toBe(15);
  });
});
