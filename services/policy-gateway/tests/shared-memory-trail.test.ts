/**
 * The shared memory store's trail verified from a worker (issue 11): two workers write their
 * chains through one primary (a real structured-clone channel each, as the cluster's advanced
 * IPC), sign checkpoints into the primary's repository, and either worker reads the whole trail
 * back and finds it intact — the start the store's bound dropped included, vouched for by a
 * record the reading worker signs.
 */
import { createPublicKey } from 'node:crypto';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import {
  generateAuditSigningKey,
  type LoadedAuditSigningKey,
  verifyAuditTrail,
} from '@policy-gateway/governance-runtime';
import { afterEach, describe, expect, it } from 'vitest';
import { answerCalls, type IpcChannel, PrimaryCalls } from '../src/cluster/primary-calls.js';
import {
  openSharedMemoryStore,
  sharedMemoryStoreTargets,
} from '../src/cluster/shared-memory-store.js';
import type { AuditStore } from '../src/store/audit-store.js';
import { auditEntry } from './support/audit-entry-fixture.js';

function channelOf(port: MessagePort): IpcChannel {
  return {
    send: (message) => port.postMessage(message),
    listen: (listener) => {
      port.on('message', listener);
      return () => port.off('message', listener);
    },
  };
}

const silent = { info: () => {}, warn: () => {} };
const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** One primary keeping a memory store of `maxEntries`, and `workers` workers serving on it. */
async function cluster(maxEntries: number, workers: number): Promise<AuditStore[]> {
  const shared = sharedMemoryStoreTargets(maxEntries, silent);
  closers.push(() => shared.close());
  const signingKey: LoadedAuditSigningKey = {
    key: generateAuditSigningKey().key,
    source: 'generated',
    path: 'audit-signing-key.pem',
    generatedNow: false,
  };
  const stores: AuditStore[] = [];
  for (let slot = 1; slot <= workers; slot += 1) {
    const { port1, port2 } = new MessageChannel();
    answerCalls(channelOf(port1), shared.targets);
    const channel = channelOf(port2);
    const calls = new PrimaryCalls(channel, { timeoutMs: 5_000 });
    closers.push(() => {
      calls.close();
      port1.close();
      port2.close();
    });
    const store = await openSharedMemoryStore(calls, channel, maxEntries, {
      tamperEvidence: {
        signingKey,
        instance: `test/${slot}`,
        checkpointEveryEntries: 5,
        checkpointIntervalMs: 0,
      },
      log: silent,
    });
    closers.push(() => store.close());
    stores.push(store);
  }
  return stores;
}

describe('the shared memory store, verified from a worker', () => {
  it("reads back every worker's chain and checkpoints, and finds the trail intact", async () => {
    const [first, second] = await cluster(1000, 2);
    for (let i = 0; i < 12; i += 1) {
      await first!.repository.append(auditEntry(2 * i));
      await second!.repository.append(auditEntry(2 * i + 1));
    }
    const fromSecond = await verifyAuditTrail(second!.trail!);
    expect(fromSecond).toMatchObject({ intact: true, entriesChecked: 24, chains: 2 });
    expect(fromSecond.checkpoints).toBe(4);
    const fromFirst = await verifyAuditTrail(first!.trail!);
    expect(fromFirst).toMatchObject({ intact: true, entriesChecked: 24, chains: 2 });
  });

  it("vouches for what the store's bound dropped, and still names an unknown signer", async () => {
    const [only] = await cluster(10, 1);
    for (let i = 0; i < 30; i += 1) await only!.repository.append(auditEntry(i));
    const result = await verifyAuditTrail(only!.trail!);
    expect(result.intact).toBe(true);
    expect(result.entriesChecked).toBe(10);
    expect(result.retention).toEqual([expect.objectContaining({ removedThroughSeq: 20 })]);
    // Trusting another key only: neither the checkpoints nor the cut's record are believed.
    const other = generateAuditSigningKey().key;
    const distrusting = await verifyAuditTrail(only!.trail!, {
      trustedKeys: [{ keyId: other.keyId, key: createPublicKey(other.privateKey) }],
    });
    expect(distrusting.intact).toBe(false);
    expect(distrusting.problems.map((p) => p.kind)).toContain('unknown-key');
  });
});
