/**
 * The memory store as several workers share it (issue 12): the worker's repositories call the
 * primary's store through a real structured-clone channel (a `MessageChannel`, the same
 * serialization as the cluster's advanced IPC), and must pass the same contract suites as
 * the memory adapters themselves — errors arriving as the classes callers branch on.
 */
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import {
  AuditLogEntryRepositoryDecorator,
  InvalidCursorError,
} from '@policy-gateway/governance-runtime';
import {
  describeAccessLogRepositoryContract,
  describeAuditLogEntryRepositoryContract,
} from '@policy-gateway/governance-runtime/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { answerCalls, type IpcChannel, PrimaryCalls } from '../src/cluster/primary-calls.js';
import { sharedMemoryStore, sharedMemoryStoreTargets } from '../src/cluster/shared-memory-store.js';
import type { AuditStore } from '../src/store/audit-store.js';

function channelOf(port: MessagePort): IpcChannel {
  return {
    send: (message) => port.postMessage(message),
    listen: (listener) => {
      port.on('message', listener);
      return () => port.off('message', listener);
    },
  };
}

const silent = { warn: () => {} };

interface Linked {
  /** What one worker sees. */
  readonly store: AuditStore;
  readonly calls: PrimaryCalls;
  close(): Promise<void>;
}

/** A primary's shared store and one worker's view of it, over a fresh channel. */
function linked(options: { timeoutMs?: number; answer?: boolean } = {}): Linked {
  const { port1: primaryEnd, port2: workerEnd } = new MessageChannel();
  const shared = sharedMemoryStoreTargets(10_000, silent);
  const primary = channelOf(primaryEnd);
  if (options.answer !== false) answerCalls(primary, shared.targets);
  const stopAnnouncing = shared.onKeyChange((message) => primary.send(message));
  const worker = channelOf(workerEnd);
  const calls = new PrimaryCalls(worker, { timeoutMs: options.timeoutMs ?? 5_000 });
  return {
    store: sharedMemoryStore(calls, worker, 10_000),
    calls,
    close: async () => {
      calls.close();
      stopAnnouncing();
      primaryEnd.close();
      workerEnd.close();
      await shared.close();
    },
  };
}

/** Closing the repository closes the channel and the primary's store behind it. */
class ClosingLink extends AuditLogEntryRepositoryDecorator {
  constructor(readonly link: Linked) {
    super(link.store.repository);
  }
  override async close(): Promise<void> {
    await this.link.close();
  }
}

describeAuditLogEntryRepositoryContract({
  name: 'memory shared through the primary',
  durable: false,
  open: async () => new ClosingLink(linked()),
});

describeAccessLogRepositoryContract({
  name: 'memory shared through the primary',
  durable: false,
  open: async () => {
    const link = linked();
    const { accessLog } = link.store;
    return {
      durable: accessLog.durable,
      append: (record) => accessLog.append(record),
      query: (query) => accessLog.query(query),
      close: () => link.close(),
    };
  },
});

describe('the memory store shared through the primary', () => {
  let link: Linked | undefined;
  afterEach(async () => {
    await link?.close();
    link = undefined;
  });

  it('rejects a bad cursor with InvalidCursorError, as the store itself does', async () => {
    link = linked();
    const query = link.store.repository.query({ limit: 5, cursor: 'not-a-cursor' });
    await expect(query).rejects.toBeInstanceOf(InvalidCursorError);
    await expect(query).rejects.toMatchObject({ field: 'cursor' });
  });

  it('tells a worker of an API key revoked through another worker', async () => {
    const { port1, port2 } = new MessageChannel();
    const { port1: otherPrimaryEnd, port2: otherWorkerEnd } = new MessageChannel();
    const shared = sharedMemoryStoreTargets(100, silent);
    const primaries = [channelOf(port1), channelOf(otherPrimaryEnd)];
    for (const primary of primaries) answerCalls(primary, shared.targets);
    const stop = shared.onKeyChange((message) => {
      for (const primary of primaries) primary.send(message);
    });
    const writer = new PrimaryCalls(channelOf(port2));
    const reader = new PrimaryCalls(channelOf(otherWorkerEnd));
    const writing = sharedMemoryStore(writer, channelOf(port2), 100);
    const reading = sharedMemoryStore(reader, channelOf(otherWorkerEnd), 100);
    try {
      const heard = new Promise<string>((resolve) => reading.apiKeys.onChange(resolve));
      const createdAt = new Date('2026-12-01T00:00:00Z');
      await writing.apiKeys.insert({
        id: 'k1',
        name: 'ci',
        role: 'evaluator',
        secretHash: 'hash',
        createdAt,
        createdBy: null,
        expiresAt: null,
      });
      expect(await heard).toBe('k1');
      // Dates cross as dates.
      expect((await reading.apiKeys.findById('k1'))?.createdAt).toEqual(createdAt);
    } finally {
      writer.close();
      reader.close();
      stop();
      for (const port of [port1, port2, otherPrimaryEnd, otherWorkerEnd]) port.close();
      await shared.close();
    }
  });

  it('fails a write the primary does not answer in time, and reports the store unreachable', async () => {
    link = linked({ answer: false, timeoutMs: 50 });
    const { results, error } = await link.store.repository.appendMany([
      {
        id: '01a24536-738d-77a7-aaea-2ef475cf7000',
      } as never,
    ]);
    expect(results.map((outcome) => outcome.status)).toEqual(['failed']);
    expect(String(error)).toContain('did not answer auditLog.appendMany within 50 ms');
    expect(await link.store.check()).toMatchObject({ reachable: false });
  });
});
