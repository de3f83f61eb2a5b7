// The erasure race between processes: each gateway remembers a subject's sealing key for a
// moment, so an erasure made by another gateway must reach it at once, or originals sealed in
// that moment would be sealed under the destroyed key (unreadable forever, and not counted in
// the erasure). Two stores on one key database (one per gateway, as two replicas have) and two
// file stores on one directory (as the workers of `serve` have): a destruction through one is
// announced to the other, and the other's sealer seals the next original under a new key, even
// one asked for in the same turn as the announcement, before it (originals are sealed in a batch
// once the turn's I/O is done).
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTestDatabase } from '@policy-gateway/governance-runtime/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { FileSubjectKeyStore } from '../../src/privacy/file-subject-key-store.js';
import { FileKeyEncryptionKey } from '../../src/privacy/key-encryption-key.js';
import {
  OriginalSealer,
  SEALING_KEY_TTL_MS,
  subjectRefOf,
} from '../../src/privacy/original-sealer.js';
import { PostgresSubjectKeyStore } from '../../src/privacy/postgres-subject-key-store.js';
import type { SubjectKeyStore } from '../../src/privacy/subject-key-store.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** Two stores over the same keys, as two processes open them. */
const SHARED_STORES: { name: string; open: () => Promise<[SubjectKeyStore, SubjectKeyStore]> }[] = [
  {
    name: 'a PostgreSQL key database',
    open: async () => {
      const database = await createTestDatabase();
      cleanups.push(() => database.drop());
      const open = () => {
        const store = new PostgresSubjectKeyStore({ url: database.url, redactedUrl: 'test' });
        cleanups.push(() => store.close());
        return store;
      };
      return [open(), open()];
    },
  },
  {
    name: 'a key directory',
    open: async () => {
      const dir = await mkdtemp(path.join(tmpdir(), 'subject-key-destructions-'));
      cleanups.push(() => rm(dir, { recursive: true, force: true }));
      const open = () => {
        const store = new FileSubjectKeyStore(path.join(dir, 'keys'));
        cleanups.push(() => store.close());
        return store;
      };
      return [open(), open()];
    },
  },
];

async function listening(store: SubjectKeyStore): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!store.destructions.listening) {
    if (Date.now() > deadline) throw new Error(`${store.location} never began to listen`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Resolves when `store` hears that `subjectRef`'s key was destroyed. */
function destructionOf(store: SubjectKeyStore, subjectRef: string): Promise<void> {
  return new Promise((resolve) => {
    const unsubscribe = store.destructions.subscribe((destroyed) => {
      if (destroyed !== subjectRef) return;
      unsubscribe();
      resolve();
    });
  });
}

function newKey(userId: string) {
  return {
    subjectRef: subjectRefOf(userId),
    keyId: randomUUID(),
    kekId: 'kek:test',
    wrappedKey: randomBytes(40),
    createdAt: new Date().toISOString(),
  };
}

describe.each(SHARED_STORES)('destructions in $name', ({ open }) => {
  it('are announced to the other process, and only for the subject destroyed', async () => {
    const [here, there] = await open();
    const heard: (string | undefined)[] = [];
    there.destructions.subscribe((subjectRef) => heard.push(subjectRef));
    await listening(there);
    const frank = await here.createIfAbsent(newKey('frank'));
    await here.createIfAbsent(newKey('grace'));
    const announced = destructionOf(there, frank.subjectRef);
    await here.destroy(frank.subjectRef);
    await announced;
    expect(heard.filter((ref) => ref !== undefined)).toEqual([frank.subjectRef]);
  });

  it("give a page's current key ids in one look-up, leaving out subjects without a key", async () => {
    const [here, there] = await open();
    const [heidi, ivan] = [
      await here.createIfAbsent(newKey('heidi')),
      await here.createIfAbsent(newKey('ivan')),
    ];
    await there.destroy(ivan.subjectRef);
    const ids = await there.currentKeyIds([
      heidi.subjectRef,
      ivan.subjectRef,
      subjectRefOf('never-seen'),
      heidi.subjectRef,
    ]);
    expect([...ids]).toEqual([[heidi.subjectRef, heidi.keyId]]);
    expect(await there.currentKeyIds([])).toEqual(new Map());
  });

  it("make the other process's sealer seal the next original under a new key at once", async () => {
    const [here, there] = await open();
    const kek = new FileKeyEncryptionKey(randomBytes(32));
    const sealer = new OriginalSealer(here, kek);
    // The first seal subscribes; once listening, the key is remembered from the next seal on.
    await sealer.seal('judy', randomUUID(), { prompt: 'first' });
    await listening(here);
    const rememberedAt = Date.now();
    const before = await sealer.seal('judy', randomUUID(), { prompt: 'remembered' });
    const announced = destructionOf(here, subjectRefOf('judy'));
    const destroyed = await there.destroy(subjectRefOf('judy'));
    expect(destroyed?.keyId).toBe(before.key_id);
    await announced;
    const entryId = randomUUID();
    const after = await sealer.seal('judy', entryId, { prompt: 'after the erasure' });
    // Within the second the destroyed key would have been remembered, it took a new one.
    expect(Date.now() - rememberedAt).toBeLessThan(SEALING_KEY_TTL_MS);
    expect(after.key_id).not.toBe(before.key_id);
    expect((await there.current(subjectRefOf('judy')))?.keyId).toBe(after.key_id);
    expect(await sealer.open('judy', entryId, after)).toEqual({
      readable: true,
      input: { prompt: 'after the erasure' },
    });
  });

  it('make the sealer seal an original asked for before the announcement, in its turn, under a new key', async () => {
    const [here, there] = await open();
    const sealer = new OriginalSealer(here, new FileKeyEncryptionKey(randomBytes(32)));
    const entryId = randomUUID();
    let asked: ReturnType<OriginalSealer['seal']> | undefined;
    // Told of the destruction before the sealer is: the original is asked for with the
    // destroyed key still remembered, and waits for the turn's batch.
    here.destructions.subscribe((destroyed) => {
      if (destroyed === subjectRefOf('kim')) {
        asked ??= sealer.seal('kim', entryId, { prompt: 'asked as the erasure was announced' });
      }
    });
    await sealer.seal('kim', randomUUID(), { prompt: 'first' });
    await listening(here);
    const before = await sealer.seal('kim', randomUUID(), { prompt: 'remembered' });
    const announced = destructionOf(here, subjectRefOf('kim'));
    await there.destroy(subjectRefOf('kim'));
    await announced;
    const after = await asked!;
    expect(after.key_id).not.toBe(before.key_id);
    expect(await sealer.open('kim', entryId, after)).toEqual({
      readable: true,
      input: { prompt: 'asked as the erasure was announced' },
    });
  });
});
