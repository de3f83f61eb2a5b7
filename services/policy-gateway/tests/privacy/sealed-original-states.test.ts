// The state of sealed originals on a page of entries comes from one look-up in the key store,
// however many entries and subjects the page holds: the store is real (files in a directory),
// counted as it is asked. A key store that cannot be reached leaves the states `unknown`
// instead of failing the read; a gateway without a key store says `unknown` too.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type AuditLogEntry, newAuditLogEntryId } from '@policy-gateway/governance-runtime';
import { afterAll, describe, expect, it } from 'vitest';
import { FileSubjectKeyStore } from '../../src/privacy/file-subject-key-store.js';
import { subjectRefOf } from '../../src/privacy/original-sealer.js';
import { PostgresSubjectKeyStore } from '../../src/privacy/postgres-subject-key-store.js';
import { SealedOriginalStates } from '../../src/privacy/sealed-original-states.js';
import type { SubjectKeyStore } from '../../src/privacy/subject-key-store.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function fileStore(): Promise<FileSubjectKeyStore> {
  const dir = await mkdtemp(path.join(tmpdir(), 'sealed-original-states-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return new FileSubjectKeyStore(path.join(dir, 'keys'));
}

async function keyFor(store: SubjectKeyStore, userId: string): Promise<string> {
  const key = await store.createIfAbsent({
    subjectRef: subjectRefOf(userId),
    keyId: randomUUID(),
    kekId: 'kek:test',
    wrappedKey: randomBytes(40),
    createdAt: new Date().toISOString(),
  });
  return key.keyId;
}

function entryOf(userId: string): AuditLogEntry {
  return {
    id: newAuditLogEntryId(),
    decisionId: randomUUID(),
    occurredAt: new Date().toISOString(),
    userId,
    principalId: null,
    action: 'policy.evaluate',
    decision: 'deny',
    reasons: [],
    policyPath: 'data.policy_gateway.decision',
    policyVersion: 'test',
    policyEngine: 'embedded',
    input: { prompt: 'card [pii.payment_card]' },
    result: null,
    error: null,
    latencyMs: 1,
    requestId: null,
    clientRequestId: null,
    clientAddress: null,
    userAgent: null,
    gatewayInstance: 'test',
    idempotencyKey: null,
    requestDigest: null,
  };
}

function sealedEntry(userId: string, keyId: string): AuditLogEntry {
  return {
    ...entryOf(userId),
    sealedOriginal: { v: 1, key_id: keyId, iv: 'aXY=', ciphertext: 'Y2lwaGVy' },
  };
}

describe('SealedOriginalStates', () => {
  it('tells a page of 100 entries of 10 subjects apart with one look-up', async () => {
    const store = await fileStore();
    const calls = { currentKeyIds: 0, current: 0 };
    const counted: SubjectKeyStore = {
      ...store,
      location: store.location,
      destructions: store.destructions,
      current: (ref) => {
        calls.current += 1;
        return store.current(ref);
      },
      currentKeyIds: (refs) => {
        calls.currentKeyIds += 1;
        return store.currentKeyIds(refs);
      },
      createIfAbsent: (key) => store.createIfAbsent(key),
      destroy: (ref) => store.destroy(ref),
      close: () => store.close(),
    };
    const users = Array.from({ length: 10 }, (_, index) => `u-${index}`);
    const keys = new Map<string, string>();
    for (const user of users) keys.set(user, await keyFor(store, user));
    await store.destroy(subjectRefOf('u-3'));
    await store.destroy(subjectRefOf('u-7'));
    const entries = Array.from({ length: 100 }, (_, index) => {
      const user = users[index % 10]!;
      return sealedEntry(user, keys.get(user)!);
    });
    const unmasked = entryOf('u-0');

    const states = await new SealedOriginalStates(counted).of([...entries, unmasked]);
    expect(calls).toEqual({ currentKeyIds: 1, current: 0 });
    expect(states.has(unmasked.id)).toBe(false);
    const erased = entries.filter((entry) => states.get(entry.id) === 'erased');
    expect(new Set(erased.map((entry) => entry.userId))).toEqual(new Set(['u-3', 'u-7']));
    expect(entries.filter((entry) => states.get(entry.id) === 'sealed')).toHaveLength(80);
  });

  it('says `erased` for an original sealed under an earlier key of a subject seen again', async () => {
    const store = await fileStore();
    const first = await keyFor(store, 'u-again');
    await store.destroy(subjectRefOf('u-again'));
    const second = await keyFor(store, 'u-again');
    const [old, fresh] = [sealedEntry('u-again', first), sealedEntry('u-again', second)];
    const states = await new SealedOriginalStates(store).of([old, fresh]);
    expect([states.get(old.id), states.get(fresh.id)]).toEqual(['erased', 'sealed']);
  });

  it('says `unknown` without a key store, or when the key store cannot be reached', async () => {
    const entry = sealedEntry('u-unknown', randomUUID());
    expect((await new SealedOriginalStates(null).of([entry])).get(entry.id)).toBe('unknown');
    const unreachable = new PostgresSubjectKeyStore({
      url: 'postgresql://postgres@127.0.0.1:1/nowhere',
      redactedUrl: 'nowhere',
      timeoutMs: 1000,
    });
    cleanups.push(() => unreachable.close());
    expect((await new SealedOriginalStates(unreachable).of([entry])).get(entry.id)).toBe('unknown');
  });
});
