// Sealing under load, on the file key store in a real directory: the originals of many
// decisions in flight at once for one subject are sealed after one look-up of the subject's
// key (not one file read and unwrap each, which ran a busy gateway out of file descriptors),
// every original under its own IV, and each still opens.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileSubjectKeyStore } from '../../src/privacy/file-subject-key-store.js';
import { FileKeyEncryptionKey } from '../../src/privacy/key-encryption-key.js';
import { OriginalSealer } from '../../src/privacy/original-sealer.js';
import type { SubjectKeyStore } from '../../src/privacy/subject-key-store.js';

const entryId = (i: number) => `0190a0b0-0000-7000-8000-${String(i).padStart(12, '0')}`;

let dir: string;
let keys: FileSubjectKeyStore;
let lookups: number;
let sealer: OriginalSealer;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'pgw-sealing-'));
  keys = new FileSubjectKeyStore(path.join(dir, 'keys'));
  lookups = 0;
  // The real store, counting what the sealer asks of it.
  const counted: SubjectKeyStore = {
    location: keys.location,
    destructions: keys.destructions,
    current: (subjectRef) => {
      lookups += 1;
      return keys.current(subjectRef);
    },
    currentKeyIds: (subjectRefs) => keys.currentKeyIds(subjectRefs),
    createIfAbsent: (key) => keys.createIfAbsent(key),
    destroy: (subjectRef) => keys.destroy(subjectRef),
    close: () => keys.close(),
  };
  sealer = new OriginalSealer(counted, FileKeyEncryptionKey.inDataDir(dir));
});

afterEach(async () => {
  await sealer.keyStore.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('sealing many originals of one subject at once', () => {
  it('looks the subject key up once, seals each under its own IV, and every one opens', async () => {
    await sealer.seal('u-busy', entryId(0), { prompt: 'first' });
    const before = lookups;
    // Past the remembered key's second, as when it expires with decisions in flight.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const sealed = await Promise.all(
      Array.from({ length: 2_000 }, (_, i) =>
        sealer.seal('u-busy', entryId(i + 1), { prompt: `p${i}` }),
      ),
    );
    expect(lookups - before).toBe(1);
    expect(new Set(sealed.map((original) => original.iv)).size).toBe(sealed.length);
    for (const i of [0, 999, 1_999]) {
      expect(await sealer.open('u-busy', entryId(i + 1), sealed[i]!)).toEqual({
        readable: true,
        input: { prompt: `p${i}` },
      });
    }
  });
});
