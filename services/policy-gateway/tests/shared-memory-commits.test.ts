/**
 * The live tail across the workers of one gateway on the memory store (issue 17): the primary
 * keeps the store and announces each commit to every worker, so that a tail served by one
 * worker hears at once of an entry committed through another, as the PostgreSQL store's
 * NOTIFY does across replicas. Over real structured-clone channels (`MessageChannel`).
 */
import type { AddressInfo } from 'node:net';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import type { AuditEntry } from '@policy-gateway/gateway-contract';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { answerCalls, type IpcChannel, PrimaryCalls } from '../src/cluster/primary-calls.js';
import { sharedMemoryStore, sharedMemoryStoreTargets } from '../src/cluster/shared-memory-store.js';
import { auditEntry } from './support/audit-entry-fixture.js';
import { TEST_APP_SETTINGS } from './support/build-test-app.js';
import { ScriptedPolicyEngine } from './support/scripted-policy-engine.js';

function channelOf(port: MessagePort): IpcChannel {
  return {
    send: (message) => port.postMessage(message),
    listen: (listener) => {
      port.on('message', listener);
      return () => port.off('message', listener);
    },
  };
}

const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** The primary's store, and `count` workers' views of it, each on its own channel. */
function cluster(count: number) {
  const shared = sharedMemoryStoreTargets(10_000, { warn: () => {} });
  const workers = Array.from({ length: count }, () => {
    const { port1: primaryEnd, port2: workerEnd } = new MessageChannel();
    const primary = channelOf(primaryEnd);
    answerCalls(primary, shared.targets);
    const stop = shared.onCommit((message) => primary.send(message));
    const worker = channelOf(workerEnd);
    const calls = new PrimaryCalls(worker, { timeoutMs: 5000 });
    closers.push(() => {
      stop();
      calls.close();
      primaryEnd.close();
      workerEnd.close();
    });
    return sharedMemoryStore(calls, worker, 10_000);
  });
  closers.push(() => shared.close());
  return workers;
}

describe('commits announced to every worker', () => {
  it("tells each worker's store of entries committed through another", async () => {
    const [a, b] = cluster(2);
    let heard = 0;
    closers.push(b!.commits!.subscribe(() => (heard += 1)));
    await a!.repository.append(auditEntry(1));
    await a!.repository.appendMany([auditEntry(2), auditEntry(3)]);
    await expect.poll(() => heard).toBe(2);
  });

  it('delivers an entry committed through one worker to a live tail served by another', async () => {
    const [a, b] = cluster(2);
    const app: FastifyInstance = await buildApp({
      settings: TEST_APP_SETTINGS,
      store: b!,
      engine: new ScriptedPolicyEngine(),
    });
    closers.push(() => app.close());
    await app.listen({ port: 0, host: '127.0.0.1' });
    const abort = new AbortController();
    closers.push(() => abort.abort());
    const response = await fetch(
      `http://localhost:${(app.server.address() as AddressInfo).port}/governance/audit/stream`,
      { signal: abort.signal },
    );
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    const entry = auditEntry(0, { occurredAt: new Date().toISOString().replace('Z', '000Z') });
    const started = Date.now();
    await a!.repository.append(entry);
    let text = '';
    while (!text.includes('event: entry')) {
      const { value, done } = await reader.read();
      if (done) throw new Error('the stream ended');
      text += new TextDecoder().decode(value);
    }
    expect(Date.now() - started).toBeLessThan(1000);
    const data = /data: (.+)\n/.exec(text.slice(text.indexOf('event: entry')))?.[1];
    expect((JSON.parse(data!) as AuditEntry).id).toBe(entry.id);
  });
});
