/**
 * `CommitOutcomeResolver` over the memory adapter, behind a step that plays the storage's
 * doubtful answers: the INSERT committed but its answer was lost, it commits a moment after
 * its caller gave up, or it never arrived. (On a real PostgreSQL server, in the service's
 * `tests/commit-outcome.test.ts`.)
 */
import { describe, expect, it } from 'vitest';
import { MemoryAuditLogEntryRepository } from '../adapters/memory/memory-audit-log-entry-repository.js';
import { makeEntry } from '../testing/audit-log-entry-fixtures.js';
import type { AuditLogEntry } from './audit-log-entry.js';
import type { AuditLogEntryRepository } from './audit-log-entry-repository.js';
import { AuditLogEntryRepositoryDecorator } from './audit-log-entry-repository-decorator.js';
import { CommitOutcomeResolver } from './commit-outcome-resolver.js';
import { CommitOutcomeUnknownError } from './commit-outcome-unknown-error.js';
import { DuplicateAuditLogEntryError } from './duplicate-audit-log-entry-error.js';
import { InvalidAuditLogEntryError } from './invalid-audit-log-entry-error.js';

type Doubt =
  /** Commits, then loses the answer. */
  | { readonly kind: 'committed' }
  /** Loses the answer at once and commits `afterMs` later, as a server still working would. */
  | { readonly kind: 'commits-later'; readonly afterMs: number }
  /** Loses the answer; nothing reached the storage. */
  | { readonly kind: 'lost' };

/** Every append ends in doubt, as `doubt` says; reads fail while `readsFail` is set. */
class DoubtfulStorage extends AuditLogEntryRepositoryDecorator {
  readsFail = false;
  reads = 0;
  readonly storageError = new Error('Connection terminated unexpectedly');

  constructor(
    inner: AuditLogEntryRepository,
    private readonly doubt: Doubt,
  ) {
    super(inner);
  }

  override async append(entry: AuditLogEntry): Promise<void> {
    if (this.doubt.kind === 'committed') await super.append(entry);
    if (this.doubt.kind === 'commits-later') {
      setTimeout(() => void super.append(entry), this.doubt.afterMs);
    }
    throw new CommitOutcomeUnknownError(entry.id, { cause: this.storageError });
  }

  override async findById(id: string): Promise<AuditLogEntry | undefined> {
    this.reads += 1;
    if (this.readsFail) throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
    return super.findById(id);
  }
}

function resolving(doubt: Doubt, settleMs: number, graceMs = 200) {
  const memory = new MemoryAuditLogEntryRepository();
  const storage = new DoubtfulStorage(memory, doubt);
  const repository = new CommitOutcomeResolver(storage, {
    settleMs,
    graceMs,
    initialDelayMs: 10,
  });
  return { memory, storage, repository };
}

describe('CommitOutcomeResolver', () => {
  it('resolves an append whose commit went through but whose answer was lost', async () => {
    const { memory, repository } = resolving({ kind: 'committed' }, 0);
    const entry = makeEntry();
    await expect(repository.append(entry)).resolves.toBeUndefined();
    expect(memory.size).toBe(1);
    expect(await repository.findById(entry.id)).toStrictEqual(entry);
  });

  it('keeps reading until the storage may no longer commit, and finds an entry committed late', async () => {
    const { memory, repository } = resolving({ kind: 'commits-later', afterMs: 150 }, 400);
    await expect(repository.append(makeEntry())).resolves.toBeUndefined();
    expect(memory.size).toBe(1);
  });

  it("rejects with the storage's own error once the entry is surely absent", async () => {
    const { memory, storage, repository } = resolving({ kind: 'lost' }, 200);
    const began = performance.now();
    const error = await repository.append(makeEntry()).catch((e: unknown) => e);
    expect(error).toBe(storage.storageError);
    // Not before the storage could have committed it: a read before then proves nothing.
    expect(performance.now() - began).toBeGreaterThanOrEqual(199);
    expect(memory.size).toBe(0);
    expect(storage.reads).toBeGreaterThan(1);
  });

  it('rejects with CommitOutcomeUnknownError when reads fail too, within the bound', async () => {
    const { storage, repository } = resolving({ kind: 'lost' }, 100, 200);
    storage.readsFail = true;
    const entry = makeEntry();
    const began = performance.now();
    const error = await repository.append(entry).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CommitOutcomeUnknownError);
    expect((error as CommitOutcomeUnknownError).id).toBe(entry.id);
    expect(performance.now() - began).toBeLessThan(1000);
  });

  it('reports a duplicate when the entry read back is another one with the same id', async () => {
    const { memory, repository } = resolving({ kind: 'lost' }, 0);
    const stored = makeEntry();
    await memory.append(stored);
    const error = await repository.append(makeEntry({ id: stored.id })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DuplicateAuditLogEntryError);
  });

  it('passes every other outcome of the storage through untouched', async () => {
    const memory = new MemoryAuditLogEntryRepository();
    const repository = new CommitOutcomeResolver(memory, { settleMs: 10_000 });
    const entry = makeEntry();
    await repository.append(entry);
    await expect(repository.append(entry)).rejects.toBeInstanceOf(DuplicateAuditLogEntryError);
    await expect(repository.append(makeEntry({ latencyMs: -1 }))).rejects.toBeInstanceOf(
      InvalidAuditLogEntryError,
    );
    expect(memory.size).toBe(1);
  });
});
