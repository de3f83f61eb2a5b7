// The subject key stores, one contract for both: files in a directory (the default) and a table
// in a PostgreSQL database of its own. A subject's first key wins every race, erasure destroys
// it for good, and the settings refuse a key database that is the audit database itself (a
// restore of the trail's backup would bring erased keys back with it).
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTestDatabase } from '@policy-gateway/governance-runtime/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { loadSettings } from '../../src/config/settings.js';
import { subjectKeyStoreOf } from '../../src/privacy/audit-privacy.js';
import { FileSubjectKeyStore } from '../../src/privacy/file-subject-key-store.js';
import { subjectRefOf } from '../../src/privacy/original-sealer.js';
import { PostgresSubjectKeyStore } from '../../src/privacy/postgres-subject-key-store.js';
import type { StoredSubjectKey, SubjectKeyStore } from '../../src/privacy/subject-key-store.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

function keyFor(userId: string): StoredSubjectKey {
  return {
    subjectRef: subjectRefOf(userId),
    keyId: randomUUID(),
    kekId: 'kek:test',
    wrappedKey: randomBytes(40),
    createdAt: new Date().toISOString(),
  };
}

const STORES: { name: string; open: () => Promise<SubjectKeyStore> }[] = [
  {
    name: 'files in a directory',
    open: async () => {
      const dir = await mkdtemp(path.join(tmpdir(), 'subject-key-store-'));
      cleanups.push(() => rm(dir, { recursive: true, force: true }));
      return new FileSubjectKeyStore(path.join(dir, 'keys'));
    },
  },
  {
    name: 'a PostgreSQL database of its own',
    open: async () => {
      const database = await createTestDatabase();
      const store = new PostgresSubjectKeyStore({ url: database.url, redactedUrl: 'test' });
      cleanups.push(() => database.drop());
      cleanups.push(() => store.close());
      return store;
    },
  },
];

describe.each(STORES)('the subject key store in $name', ({ open }) => {
  it('has no key for a subject never seen, keeps the first one made, and gives it back as stored', async () => {
    const store = await open();
    const first = keyFor('alice');
    expect(await store.current(first.subjectRef)).toBeUndefined();
    expect(await store.createIfAbsent(first)).toEqual(first);
    expect(await store.createIfAbsent(keyFor('alice'))).toEqual(first);
    expect(await store.current(first.subjectRef)).toEqual(first);
  });

  it('gives every one of concurrent first writers the same key', async () => {
    const store = await open();
    const candidates = Array.from({ length: 8 }, () => keyFor('bob'));
    const won = await Promise.all(candidates.map((key) => store.createIfAbsent(key)));
    expect(new Set(won.map((key) => key.keyId)).size).toBe(1);
    expect((await store.current(subjectRefOf('bob')))?.keyId).toBe(won[0]?.keyId);
  });

  it('destroys a key for good: it is returned once, then the subject has none', async () => {
    const store = await open();
    const key = await store.createIfAbsent(keyFor('carol'));
    await store.createIfAbsent(keyFor('dave'));
    expect(await store.destroy(key.subjectRef)).toEqual(key);
    expect(await store.current(key.subjectRef)).toBeUndefined();
    expect(await store.destroy(key.subjectRef)).toBeUndefined();
    expect(await store.current(subjectRefOf('dave'))).toBeDefined();
    // Seen again, the subject gets a new key, never the destroyed one.
    const next = await store.createIfAbsent(keyFor('carol'));
    expect(next.keyId).not.toBe(key.keyId);
  });
});

describe('POLICY_GATEWAY_SUBJECT_KEYS', () => {
  const base = { POLICY_GATEWAY_DATA_DIR: '/var/lib/pgw' };

  it('keeps keys as files in the data directory by default, or where file: says', () => {
    expect(subjectKeyStoreOf(loadSettings(base)).location).toBe(
      'directory /var/lib/pgw/subject-keys',
    );
    expect(
      subjectKeyStoreOf(loadSettings({ ...base, POLICY_GATEWAY_SUBJECT_KEYS: 'file:/srv/keys' }))
        .location,
    ).toBe('directory /srv/keys');
  });

  it('refuses the audit database as the key database, naming both variables', () => {
    const url = 'postgresql://gw:secret@db.internal:5432/audit';
    expect(() =>
      subjectKeyStoreOf(
        loadSettings({
          ...base,
          POLICY_GATEWAY_DATABASE_URL: url,
          POLICY_GATEWAY_SUBJECT_KEYS: 'postgres://gw:other@db.internal/audit',
        }),
      ),
    ).toThrow(/POLICY_GATEWAY_SUBJECT_KEYS names the audit database/);
  });

  it('takes a database of its own, shown without its password', async () => {
    const store = subjectKeyStoreOf(
      loadSettings({
        ...base,
        POLICY_GATEWAY_DATABASE_URL: 'postgresql://gw@db.internal/audit',
        POLICY_GATEWAY_SUBJECT_KEYS: 'postgresql://keys:hush@keys.internal/subject_keys',
      }),
    );
    expect(store.location).toBe('database postgresql://keys:***@keys.internal/subject_keys');
    await store.close();
  });

  it.each([
    { note: 'no directory after file:', value: 'file:' },
    { note: 'neither file: nor a PostgreSQL URL', value: '/srv/keys' },
  ])('refuses $note in one line', ({ value }) => {
    expect(() => loadSettings({ ...base, POLICY_GATEWAY_SUBJECT_KEYS: value })).toThrow(
      /POLICY_GATEWAY_SUBJECT_KEYS/,
    );
  });
});
