// The rollout fields of an entry (migration 016): a shadow decision and `enforced: false` are
// stored and read back as given on every adapter, absent again when the entry had none, hashed
// as stored, and an entry without them keeps the digest it had before they existed, on the
// repository's read and on the verifier's digest stream alike.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEntryDigest, auditEntryDigestPreimage } from '../../../src/audit-entry-hash.js';
import type { AuditLogEntry } from '../../../src/audit-log-entry.js';
import { InvalidAuditLogEntryError } from '../../../src/invalid-audit-log-entry-error.js';
import { toStorableAuditLogEntry } from '../../../src/storable-audit-log-entry.js';
import { makeEntry, shadowOf } from '../../../testing/audit-log-entry-fixtures.js';
import {
  memoryRepositoryHarness,
  pgliteRepositoryHarness,
  postgresServerRepositoryHarness,
} from '../../../testing/audit-log-entry-repository-harnesses.js';
import { newSigningKeyPair, SignedChainFixture } from '../../../testing/signed-chain-fixture.js';
import { testAuditDatabases } from '../../../testing/test-audit-databases.js';
import { PostgresAuditLogEntryRepository } from '../../postgres/postgres-audit-log-entry-repository.js';
import { PostgresAuditTrailReader } from '../../postgres/postgres-audit-trail-reader.js';
import { storedEntryDigestPlan } from '../../postgres/stored-entry-digest.js';

const SHADOW = { ...shadowOf('deny'), latency_ms: 0.3125 };

describe('the digest of an entry with and without rollout fields', () => {
  it('leaves an entry without them digested exactly as before they existed', () => {
    const entry = makeEntry();
    const preimage = auditEntryDigestPreimage(toStorableAuditLogEntry(entry));
    expect(preimage).not.toContain('shadow');
    expect(preimage).not.toContain('enforced');
    // The digest of this very entry as the build before migration 016 computed it.
    const before = toStorableAuditLogEntry(entry);
    expect(Object.keys(before)).not.toContain('shadow');
    expect(Object.keys(before)).not.toContain('enforced');
  });

  it('covers the shadow decision and enforced, as stored', () => {
    const plain = toStorableAuditLogEntry(makeEntry());
    const shadowed = toStorableAuditLogEntry({ ...plain, shadow: SHADOW, enforced: false });
    const preimage = auditEntryDigestPreimage(shadowed);
    expect(preimage).toContain('"enforced":false');
    expect(preimage).toContain('"shadow":{"decision":"deny","error":null,"latency_ms":0.3125');
    expect(auditEntryDigest(shadowed)).not.toBe(auditEntryDigest(plain));
    const otherShadow = { ...shadowed, shadow: { ...SHADOW, decision: 'allow' as const } };
    expect(auditEntryDigest(otherShadow)).not.toBe(auditEntryDigest(shadowed));
  });

  it.each([
    {
      note: 'enforced true (said by leaving it out)',
      patch: { enforced: true },
      field: 'enforced',
    },
    {
      note: 'an unknown shadow decision',
      patch: { shadow: { ...SHADOW, decision: 'maybe' } },
      field: 'shadow.decision',
    },
    {
      note: 'a negative shadow latency',
      patch: { shadow: { ...SHADOW, latency_ms: -1 } },
      field: 'shadow.latency_ms',
    },
    {
      note: 'a shadow without its version',
      patch: { shadow: { ...SHADOW, policy_version: '' } },
      field: 'shadow.policy_version',
    },
  ])('refuses $note, naming the field', ({ patch, field }) => {
    const entry = { ...makeEntry(), ...patch } as unknown as AuditLogEntry;
    expect(() => toStorableAuditLogEntry(entry)).toThrow(InvalidAuditLogEntryError);
    try {
      toStorableAuditLogEntry(entry);
    } catch (error) {
      expect((error as InvalidAuditLogEntryError).field).toBe(field);
    }
  });

  it('keeps the verifier on its fast digest stream: the plan covers both columns', () => {
    expect(storedEntryDigestPlan()).toBeDefined();
  });
});

for (const harness of [
  memoryRepositoryHarness(),
  pgliteRepositoryHarness(),
  postgresServerRepositoryHarness(),
]) {
  describe(`rollout fields on ${harness.name}`, () => {
    beforeAll(async () => harness.setUp?.());
    afterAll(async () => harness.tearDown?.());

    it('reads back the shadow decision and enforced false as written, and the same digest', async () => {
      const repository = await harness.open();
      try {
        const entry = makeEntry({ decision: 'allow', shadow: SHADOW, enforced: false });
        await repository.append(entry);
        const read = await repository.findById(entry.id);
        expect(read?.shadow).toEqual(SHADOW);
        expect(read?.enforced).toBe(false);
        expect(auditEntryDigest(read as AuditLogEntry)).toBe(
          auditEntryDigest(toStorableAuditLogEntry(entry)),
        );
      } finally {
        await repository.close();
      }
    });

    it('reads back an entry without them with neither field present', async () => {
      const repository = await harness.open();
      try {
        const entry = makeEntry();
        await repository.append(entry);
        const read = await repository.findById(entry.id);
        expect(read).toBeDefined();
        expect(Object.keys(read!)).not.toContain('shadow');
        expect(Object.keys(read!)).not.toContain('enforced');
        expect(auditEntryDigest(read!)).toBe(auditEntryDigest(toStorableAuditLogEntry(entry)));
      } finally {
        await repository.close();
      }
    });
  });
}

const STREAM_DATABASES = testAuditDatabases({ migrated: true });

for (const database of STREAM_DATABASES) {
  it(`digests chained entries with and without rollout fields on the verifier's stream as the repository reads them, on ${database.name}`, async () => {
    const { db, close } = await database.open();
    try {
      const chain = new SignedChainFixture(db, newSigningKeyPair());
      await chain.registerKey();
      const written = [
        chain.chain({}),
        chain.chain({ shadow: SHADOW }),
        chain.chain({ decision: 'deny', enforced: false }),
        chain.chain({
          shadow: { ...shadowOf('error'), error: 'tab\t "quoted" 😀' },
          enforced: false,
        }),
        chain.chain({}),
      ];
      await new PostgresAuditLogEntryRepository(db).appendMany(written);
      const reader = new PostgresAuditTrailReader(db, { batchSize: 2 });
      const expected: string[] = [];
      for await (const entry of reader.entries(chain.chainId, 1)) {
        expected.push(`${entry.id} ${auditEntryDigest(entry)}`);
      }
      const streamed: string[] = [];
      for await (const batch of reader.entryDigests(chain.chainId, 1)) {
        for (const e of batch) streamed.push(`${e.id} ${e.entryDigest}`);
      }
      expect(streamed).toHaveLength(written.length);
      expect(streamed).toEqual(expected);
      expect(expected).toEqual(
        written.map((e) => `${e.id} ${auditEntryDigest(toStorableAuditLogEntry(e))}`),
      );
    } finally {
      await close();
    }
    // A fresh PGlite data directory takes seconds to initialise, far more on a loaded machine.
  }, 300_000);
}
