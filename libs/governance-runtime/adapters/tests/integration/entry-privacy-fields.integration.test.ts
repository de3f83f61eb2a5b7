// The privacy fields of an entry (migration 012) on every adapter: stored and read back as
// given when present, absent again when the entry had none, and hashed as stored, so that an
// entry without them keeps the hash it had before they existed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEntryDigest, auditEntryDigestPreimage } from '../../../src/audit-entry-hash.js';
import type { AuditLogEntry } from '../../../src/audit-log-entry.js';
import { toStorableAuditLogEntry } from '../../../src/storable-audit-log-entry.js';
import { makeEntry } from '../../../testing/audit-log-entry-fixtures.js';
import {
  memoryRepositoryHarness,
  pgliteRepositoryHarness,
  postgresServerRepositoryHarness,
} from '../../../testing/audit-log-entry-repository-harnesses.js';

const MASKING = {
  erased: ['/input/context/ssn'],
  masked: ['/input/prompt'],
  redacted: [{ code: 'pii.email', count: 2 }],
};
const SEALED = {
  v: 1 as const,
  key_id: 'k-0192',
  iv: 'AAECAwQFBgcICQoL',
  ciphertext: 'c2VhbGVkIGJ5dGVzIGFuZCB0YWc=',
};

describe('the digest of an entry with and without privacy fields', () => {
  it('leaves an entry without them digested exactly as before they existed', () => {
    const entry = toStorableAuditLogEntry(makeEntry());
    const preimage = auditEntryDigestPreimage(entry);
    expect(preimage).not.toContain('masking');
    expect(preimage).not.toContain('sealed_original');
  });

  it('covers masking and the sealed original, as stored', () => {
    const plain = toStorableAuditLogEntry(makeEntry());
    const masked = toStorableAuditLogEntry({ ...plain, masking: MASKING, sealedOriginal: SEALED });
    const preimage = auditEntryDigestPreimage(masked);
    expect(preimage).toContain('"masking":{"erased":["/input/context/ssn"]');
    expect(preimage).toContain(`"sealed_original":{"ciphertext":"${SEALED.ciphertext}"`);
    expect(auditEntryDigest(masked)).not.toBe(auditEntryDigest(plain));
    const otherCiphertext = { ...masked, sealedOriginal: { ...SEALED, ciphertext: 'AAAA' } };
    expect(auditEntryDigest(otherCiphertext)).not.toBe(auditEntryDigest(masked));
  });
});

for (const harness of [
  memoryRepositoryHarness(),
  pgliteRepositoryHarness(),
  postgresServerRepositoryHarness(),
]) {
  describe(`privacy fields on ${harness.name}`, () => {
    beforeAll(async () => harness.setUp?.());
    afterAll(async () => harness.tearDown?.());

    it('reads back masking and the sealed original as written, and the same digest', async () => {
      const repository = await harness.open();
      try {
        const entry = makeEntry({ masking: MASKING, sealedOriginal: SEALED });
        await repository.append(entry);
        const read = await repository.findById(entry.id);
        expect(read?.masking).toEqual(MASKING);
        expect(read?.sealedOriginal).toEqual(SEALED);
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
        expect(Object.keys(read!)).not.toContain('masking');
        expect(Object.keys(read!)).not.toContain('sealedOriginal');
        expect(auditEntryDigest(read!)).toBe(auditEntryDigest(toStorableAuditLogEntry(entry)));
      } finally {
        await repository.close();
      }
    });
  });
}
