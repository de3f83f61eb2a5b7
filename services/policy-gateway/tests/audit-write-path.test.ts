/**
 * The audit write path as `openAuditStore` composes it: it passes the repository contract
 * whole, the memory store's drops are said in the log (at the first, then at most once per
 * interval, with the running count), and closing goes from the outermost step down.
 */
import {
  type AuditLogEntry,
  type AuditLogEntryRepository,
  AuditLogEntryRepositoryDecorator,
} from '@policy-gateway/governance-runtime';
import { MemoryAuditLogEntryRepository } from '@policy-gateway/governance-runtime/memory';
import { describeAuditLogEntryRepositoryContract } from '@policy-gateway/governance-runtime/testing';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { composeAuditWritePath } from '../src/store/compose-audit-write-path.js';
import { DroppedEntriesWarning } from '../src/store/dropped-entries-warning.js';
import { createMemoryStore } from '../src/store/memory-store.js';
import { openAuditStore } from '../src/store/open-audit-store.js';
import { auditEntry } from './support/audit-entry-fixture.js';

const silent = pino({ level: 'silent' });

describeAuditLogEntryRepositoryContract({
  name: "the memory store's write path",
  durable: false,
  open: async () =>
    (await openAuditStore({ backend: 'memory', maxEntries: 10_000 }, silent)).repository,
});

/** A log that keeps what is warned. */
function recordingLog() {
  const warnings: { fields: Record<string, unknown>; message: string }[] = [];
  return {
    warnings,
    log: {
      warn: (fields: Record<string, unknown>, message: string) => {
        warnings.push({ fields, message });
      },
    } as unknown as Pick<pino.Logger, 'warn'>,
  };
}

describe('DroppedEntriesWarning', () => {
  function warned(options: { maxEntries: number; intervalMs?: number }) {
    const memory = new MemoryAuditLogEntryRepository({ maxEntries: options.maxEntries });
    const { warnings, log } = recordingLog();
    const clock = { now: 0 };
    const repository = new DroppedEntriesWarning(memory, {
      counter: memory,
      log,
      now: () => clock.now,
      ...(options.intervalMs !== undefined && { intervalMs: options.intervalMs }),
    });
    return { repository, warnings, clock };
  }

  it('says nothing while the store keeps every entry', async () => {
    const { repository, warnings } = warned({ maxEntries: 3 });
    for (let minute = 0; minute < 3; minute += 1) await repository.append(auditEntry(minute));
    expect(warnings).toEqual([]);
  });

  it('warns at the first drop, with the count and the bound', async () => {
    const { repository, warnings } = warned({ maxEntries: 2 });
    for (let minute = 0; minute < 3; minute += 1) await repository.append(auditEntry(minute));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.fields).toEqual({
      droppedEntries: 1,
      droppedSinceLastWarning: 1,
      maxEntries: 2,
    });
    expect(warnings[0]?.message).toContain('1 dropped so far');
    expect(warnings[0]?.message).toContain('POLICY_GATEWAY_AUDIT_STORE_BACKEND');
  });

  it('warns at most once per interval while drops go on, then with the running count', async () => {
    const { repository, warnings, clock } = warned({ maxEntries: 1, intervalMs: 60_000 });
    await repository.append(auditEntry(0));
    await repository.append(auditEntry(1)); // first drop: warned
    clock.now = 30_000;
    await repository.append(auditEntry(2));
    await repository.append(auditEntry(3));
    expect(warnings).toHaveLength(1);
    clock.now = 60_000;
    await repository.append(auditEntry(4));
    expect(warnings.map((w) => w.fields)).toEqual([
      { droppedEntries: 1, droppedSinceLastWarning: 1, maxEntries: 1 },
      { droppedEntries: 4, droppedSinceLastWarning: 3, maxEntries: 1 },
    ]);
  });

  it('warns of drops made by a batch', async () => {
    const { repository, warnings } = warned({ maxEntries: 2 });
    const result = await repository.appendMany([0, 1, 2, 3, 4].map((minute) => auditEntry(minute)));
    expect(result.results.every((outcome) => outcome.status === 'committed')).toBe(true);
    expect(warnings.map((w) => w.fields.droppedEntries)).toEqual([3]);
  });
});

describe('openAuditStore on the memory backend', () => {
  it('warns in the log when the store drops entries, and counts them in its health', async () => {
    const { warnings, log } = recordingLog();
    const store = await openAuditStore({ backend: 'memory', maxEntries: 2 }, {
      ...silent,
      warn: log.warn,
    } as unknown as pino.Logger);
    for (let minute = 0; minute < 5; minute += 1) await store.repository.append(auditEntry(minute));
    expect(warnings.map((w) => w.fields.droppedEntries)).toEqual([1]);
    expect((await store.check()).droppedEntries).toBe(3);
    await store.close();
  });
});

describe('composeAuditWritePath', () => {
  /** Records the order in which steps see writes and closing. */
  class Recording extends AuditLogEntryRepositoryDecorator {
    constructor(
      inner: AuditLogEntryRepository,
      private readonly label: string,
      private readonly events: string[],
    ) {
      super(inner);
    }
    override async append(entry: AuditLogEntry): Promise<void> {
      this.events.push(`${this.label} append`);
      await super.append(entry);
    }
    override async close(): Promise<void> {
      this.events.push(`${this.label} close`);
      await super.close();
    }
  }

  it('wraps the store repository in the steps in order, the last one outermost', async () => {
    const events: string[] = [];
    const base = createMemoryStore(10);
    const store = composeAuditWritePath(
      { ...base, close: async () => void events.push('store close') },
      [
        (inner) => new Recording(inner, 'first', events),
        (inner) => new Recording(inner, 'second', events),
      ],
    );
    const entry = auditEntry(0);
    await store.repository.append(entry);
    expect(await base.repository.findById(entry.id)).toStrictEqual(entry);
    await store.close();
    expect(events).toEqual([
      'second append',
      'first append',
      'second close',
      'first close',
      'store close',
    ]);
  });

  it('leaves a store without steps as it is', () => {
    const store = createMemoryStore(10);
    expect(composeAuditWritePath(store, [])).toBe(store);
  });
});
