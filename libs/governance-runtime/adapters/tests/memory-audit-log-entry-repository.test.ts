/**
 * What the memory adapter promises beyond the shared contract: a bound, with the oldest
 * entries dropped and counted, entries lost with the instance, and stored entries that no
 * caller can alter.
 */
import { describe, expect, it } from 'vitest';
import { HashChainedAuditLog } from '../../src/hash-chained-audit-log.js';
import { at, makeEntry } from '../../testing/audit-log-entry-fixtures.js';
import { ids, newestFirst } from '../../testing/contract/contract-support.js';
import { MemoryAuditLogEntryRepository } from '../memory/memory-audit-log-entry-repository.js';

describe('MemoryAuditLogEntryRepository', () => {
  it('keeps at most maxEntries, dropping the oldest first', async () => {
    const repository = new MemoryAuditLogEntryRepository({ maxEntries: 3 });
    const entries = Array.from({ length: 5 }, (_, i) => makeEntry({ occurredAt: at(i) }));
    for (const entry of entries) await repository.append(entry);
    const page = await repository.query({ limit: 10 });
    expect(ids(page.entries)).toEqual(ids(newestFirst(entries.slice(2))));
    expect(await repository.findById(entries[0]!.id)).toBeUndefined();
    expect(repository.droppedCount).toBe(2);
  });

  it('drops the oldest by time even when an older entry arrives last', async () => {
    const repository = new MemoryAuditLogEntryRepository({ maxEntries: 2 });
    const newer = [makeEntry({ occurredAt: at(5) }), makeEntry({ occurredAt: at(6) })];
    for (const entry of newer) await repository.append(entry);
    await repository.append(makeEntry({ occurredAt: at(1) }));
    expect(ids((await repository.query({ limit: 10 })).entries)).toEqual(ids(newestFirst(newer)));
  });

  it('defaults to 1000 entries, the legacy store size', () => {
    expect(new MemoryAuditLogEntryRepository().maxEntries).toBe(1000);
  });

  it('refuses a bound that is not a positive integer', () => {
    expect(() => new MemoryAuditLogEntryRepository({ maxEntries: 0 })).toThrow(RangeError);
  });

  it('loses its entries with the instance (it is not durable)', async () => {
    const entry = makeEntry();
    await new MemoryAuditLogEntryRepository().append(entry);
    const next = new MemoryAuditLogEntryRepository();
    expect(next.durable).toBe(false);
    expect(await next.findById(entry.id)).toBeUndefined();
  });

  it('does not let a caller alter a stored entry through one it read', async () => {
    const repository = new MemoryAuditLogEntryRepository();
    const entry = makeEntry({ input: { prompt: 'original' } });
    await repository.append(entry);
    const read = (await repository.findById(entry.id))!;
    expect(() => {
      (read.input as { prompt: string }).prompt = 'changed';
    }).toThrow(TypeError);
    expect((await repository.findById(entry.id))?.input).toEqual({ prompt: 'original' });
  });

  it('does not let a caller alter what a hash chain stored, down to nested values', async () => {
    // The chain hands over entries it has frozen at the top only (its own copies inside).
    const repository = new MemoryAuditLogEntryRepository();
    const chain = new HashChainedAuditLog(repository);
    const entry = makeEntry({ input: { prompt: 'original', context: { team: 'a' } } });
    await chain.append(entry);
    const read = (await repository.findById(entry.id))!;
    expect(() => {
      (read.input as { context: { team: string } }).context.team = 'b';
    }).toThrow(TypeError);
    expect(() => {
      (read.reasons as unknown as unknown[]).push({ code: 'added' });
    }).toThrow(TypeError);
    expect((await repository.findById(entry.id))?.input).toEqual({
      prompt: 'original',
      context: { team: 'a' },
    });
    await chain.close();
  });

  it('does not let a caller alter a stored entry through the object it appended', async () => {
    const repository = new MemoryAuditLogEntryRepository();
    const input = { prompt: 'original' };
    const entry = makeEntry({ input });
    await repository.append(entry);
    input.prompt = 'changed';
    expect((await repository.findById(entry.id))?.input).toEqual({ prompt: 'original' });
  });
});

describe('MemoryAuditLogEntryRepository.appendMany', () => {
  it('commits a batch larger than the bound, then drops the oldest entries, its own included', async () => {
    const repository = new MemoryAuditLogEntryRepository({ maxEntries: 3 });
    const stored = makeEntry({ occurredAt: at(0) });
    await repository.append(stored);
    const batch = Array.from({ length: 4 }, (_, i) => makeEntry({ occurredAt: at(i + 1) }));
    const result = await repository.appendMany(batch);
    expect(result.results.map((outcome) => outcome.status)).toEqual(Array(4).fill('committed'));
    expect(ids((await repository.query({ limit: 10 })).entries)).toEqual(
      ids(newestFirst(batch.slice(1))),
    );
    expect(repository.droppedCount).toBe(2);
  });

  it('reports every valid entry failed once the repository is closed, and invalid ones invalid', async () => {
    const repository = new MemoryAuditLogEntryRepository();
    await repository.close();
    const [entry, invalid] = [makeEntry(), makeEntry({ latencyMs: -1 })];
    const result = await repository.appendMany([entry, invalid]);
    expect(result.results.map((outcome) => outcome.status)).toEqual(['failed', 'invalid']);
    expect(result.error).toBeInstanceOf(Error);
    expect((result.error as Error).message).toMatch(/closed/);
  });

  it('does not let a caller alter an entry through the object it appended in a batch', async () => {
    const repository = new MemoryAuditLogEntryRepository();
    const input = { prompt: 'original' };
    const entry = makeEntry({ input });
    await repository.appendMany([entry]);
    input.prompt = 'changed';
    const read = (await repository.findById(entry.id))!;
    expect(read.input).toEqual({ prompt: 'original' });
    expect(Object.isFrozen(read.input)).toBe(true);
  });
});
