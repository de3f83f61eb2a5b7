/**
 * The verifier after retention, on a real PostgreSQL server and on PGlite: chains written
 * across two monthly partitions, the older one dropped by `applyAuditRetention` after its
 * signed records, then verified. A cut a valid record vouches for is reported, not called
 * missing; every other way of losing a chain's start, or forging the record, still fails.
 * Tampering runs as a superuser with triggers bypassed, in a transaction rolled back.
 */
import { type Kysely, sql, type Transaction } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AuditRetentionRecord,
  newAuditRetentionRecord,
} from '../../../src/audit-retention-record.js';
import type {
  AuditTrailProblemKind,
  AuditTrailVerification,
} from '../../../src/audit-trail-problem.js';
import type { AuditTrailRange } from '../../../src/audit-trail-reader.js';
import { verifyAuditTrail } from '../../../src/audit-trail-verifier.js';
import { createTestDatabase, type TestDatabase } from '../../../testing/create-test-database.js';
import { migrateAuditLogToLatest, openTestPglite } from '../../../testing/open-test-pglite.js';
import {
  newSigningKeyPair,
  SignedChainFixture,
  type SigningKeyPair,
} from '../../../testing/signed-chain-fixture.js';
import type { AuditLogDatabase } from '../../postgres/audit-log-database.js';
import { ensureAuditPartitions } from '../../postgres/audit-partition-maintenance.js';
import { applyAuditRetention, retentionRecordsOf } from '../../postgres/audit-retention.js';
import { openPostgresAuditLogDatabase } from '../../postgres/open-postgres-audit-log-database.js';
import { PostgresAuditLogEntryRepository } from '../../postgres/postgres-audit-log-entry-repository.js';
import { PostgresAuditTrailReader } from '../../postgres/postgres-audit-trail-reader.js';

/** Two future months, so that the partitions are monthly ones, not the legacy partition. */
const JANUARY = (day: number) => `2099-01-${String(day).padStart(2, '0')}T00:00:00.000000Z`;
const FEBRUARY = (day: number) => `2099-02-${String(day).padStart(2, '0')}T00:00:00.000000Z`;
/** 30 days of retention on 15 March 2099: January goes, February stays. */
const RETENTION = { retentionDays: 30, now: new Date(Date.UTC(2099, 2, 15)) };

interface Trail {
  readonly db: Kysely<AuditLogDatabase>;
  readonly key: SigningKeyPair;
  /** 8 entries, 1–4 in January, 5–8 in February; checkpoints at 2, 4, 6 and 8. */
  readonly a: SignedChainFixture;
  readonly checkpointsOfA: readonly string[];
  /** 3 entries, all in January; a final checkpoint at 3: retention removes all of it. */
  readonly b: SignedChainFixture;
  /** 2 entries, in January, never checkpointed: only its retention record is left. */
  readonly c: SignedChainFixture;
}

async function writeTrailAndApplyRetention(db: Kysely<AuditLogDatabase>): Promise<Trail> {
  await ensureAuditPartitions(db, { now: new Date(Date.UTC(2099, 0, 15)), ahead: 1 });
  const key = newSigningKeyPair();
  const a = new SignedChainFixture(db, key);
  const b = new SignedChainFixture(db, key);
  const c = new SignedChainFixture(db, key);
  await a.registerKey();
  const repository = new PostgresAuditLogEntryRepository(db);
  const store = async (fixture: SignedChainFixture, times: readonly string[]) => {
    const entries = times.map((at) => fixture.chain({ occurredAt: at }));
    const { results } = await repository.appendMany(entries);
    expect(results.every((r) => r.status === 'committed')).toBe(true);
    fixture.entries.push(...entries);
  };
  const checkpointsOfA: string[] = [];
  for (const times of [
    [JANUARY(1), JANUARY(2)],
    [JANUARY(3), JANUARY(4)],
    [FEBRUARY(1), FEBRUARY(2)],
    [FEBRUARY(3), FEBRUARY(4)],
  ]) {
    await store(a, times);
    checkpointsOfA.push(await a.checkpoint());
  }
  await store(b, [JANUARY(5), JANUARY(6), JANUARY(7)]);
  await b.checkpoint({ final: true });
  await store(c, [JANUARY(8), JANUARY(9)]);

  const outcome = await applyAuditRetention(db, { ...RETENTION, key, removedBy: 'test' });
  const january = outcome.partitions.find((p) => p.name === 'audit_log_entries_y2099m01');
  expect(january?.status).toBe('dropped');
  expect(outcome.partitions.some((p) => p.name === 'audit_log_entries_y2099m02')).toBe(false);
  return { db, key, a, checkpointsOfA, b, c };
}

const ROLLBACK = new Error('rollback');

/** Verifies a time range of the trail as it is. */
function verifyTamperedIn(
  db: Kysely<AuditLogDatabase>,
  range: AuditTrailRange,
): Promise<AuditTrailVerification> {
  return verifyTampered(db, async () => undefined, range);
}

async function verifyTampered(
  db: Kysely<AuditLogDatabase>,
  tamper: (trx: Transaction<AuditLogDatabase>) => Promise<void>,
  range?: AuditTrailRange,
): Promise<AuditTrailVerification> {
  let result: AuditTrailVerification | undefined;
  await db
    .transaction()
    .execute(async (trx) => {
      await sql`set local session_replication_role = replica`.execute(trx);
      await tamper(trx);
      result = await verifyAuditTrail(
        new PostgresAuditTrailReader(trx, { batchSize: 3, streamedBatchSize: 3 }),
        range === undefined ? {} : { range },
      );
      throw ROLLBACK;
    })
    .catch((error: unknown) => {
      if (error !== ROLLBACK) throw error;
    });
  return result!;
}

function failures(result: AuditTrailVerification): AuditTrailProblemKind[] {
  return result.problems
    .filter((p) => p.kind !== 'unsealed-tail' && p.kind !== 'unchained')
    .map((p) => p.kind);
}

async function insertRecord(db: Kysely<AuditLogDatabase>, r: AuditRetentionRecord) {
  await sql`insert into audit_retention_records (id, chain_id, last_removed_seq,
      last_removed_entry_hash, partition, partition_to, removed_at, removed_by, key_id,
      payload, record_hash, signature)
    values (${r.id}::uuid, ${r.chainId}::uuid, ${r.lastRemovedSeq}, ${r.lastRemovedEntryHash},
      ${r.partition}, ${r.partitionTo}, ${r.removedAt}, ${r.removedBy}, ${r.keyId},
      ${r.payload}, ${r.recordHash}, ${r.signature})`.execute(db);
}

function describeVerificationAfterRetention(
  name: string,
  open: () => Promise<{ db: Kysely<AuditLogDatabase>; close(): Promise<void> }>,
) {
  describe(`verifying a trail cut by retention on ${name}`, () => {
    let trail: Trail;
    let close: () => Promise<void>;
    const deleteRecordsOf = (chainId: string) => async (trx: Transaction<AuditLogDatabase>) => {
      await sql`delete from audit_retention_records where chain_id = ${chainId}::uuid`.execute(trx);
    };
    /** A record of chain A's cut with other members, signed with `key`. */
    const recordOfA = (key: SigningKeyPair, overrides: { hash?: string; seq?: number } = {}) =>
      newAuditRetentionRecord({
        chainId: trail.a.chainId,
        lastRemovedSeq: overrides.seq ?? 4,
        lastRemovedEntryHash: overrides.hash ?? trail.a.entries[3]!.chain!.entryHash,
        partition: 'audit_log_entries_y2099m01',
        partitionTo: '2099-02-01T00:00:00.000000Z',
        removedBy: 'attacker',
        key,
      });

    beforeAll(async () => {
      const opened = await open();
      close = opened.close;
      trail = await writeTrailAndApplyRetention(opened.db);
    });
    afterAll(async () => {
      await close?.();
    });

    it('finds the cut trail intact and says which entries of each chain retention removed', async () => {
      const result = await verifyTampered(trail.db, async () => undefined);
      expect(result.problems).toEqual([]);
      expect(result.intact).toBe(true);
      expect(result.entriesChecked).toBe(4);
      expect(result.entriesRemovedByRetention).toBe(9);
      const byChain = new Map(result.retention.map((r) => [r.chainId, r]));
      expect(byChain.get(trail.a.chainId)).toMatchObject({
        removedThroughSeq: 4,
        partition: 'audit_log_entries_y2099m01',
        verifiedThroughSeq: 8,
      });
      expect(byChain.get(trail.b.chainId)).toMatchObject({
        removedThroughSeq: 3,
        verifiedThroughSeq: null,
      });
      // Removed whole before any checkpoint: only its record tells of it.
      expect(byChain.get(trail.c.chainId)).toMatchObject({
        removedThroughSeq: 2,
        partition: 'audit_log_entries_y2099m01',
        verifiedThroughSeq: null,
      });
      expect(result.chains).toBe(3);
    });

    it('lists the removal when a time range starts from a checkpoint above the cut', async () => {
      // From 3 February: chain A's walk starts from its checkpoint at seq 6, past the cut at 4.
      const result = await verifyTamperedIn(trail.db, { since: FEBRUARY(3) });
      expect(result.problems).toEqual([]);
      expect(result.entriesChecked).toBe(2);
      expect(result.retention).toEqual([
        expect.objectContaining({
          chainId: trail.a.chainId,
          removedThroughSeq: 4,
          verifiedThroughSeq: 8,
        }),
      ]);
      expect(result.entriesRemovedByRetention).toBe(4);
    });

    it('lists a chain removed whole by a range reaching into its partition, and not by a later one', async () => {
      const january = await verifyTamperedIn(trail.db, { since: JANUARY(20) });
      expect(january.retention.map((r) => r.chainId)).toContain(trail.c.chainId);
      const march = await verifyTamperedIn(trail.db, { since: '2099-03-01T00:00:00.000000Z' });
      expect(march.retention.map((r) => r.chainId)).not.toContain(trail.c.chainId);
    });

    it('names a chain start deleted without a retention record as missing', async () => {
      const result = await verifyTampered(trail.db, deleteRecordsOf(trail.a.chainId));
      expect(failures(result)).toEqual(['missing']);
      expect(result.problems[0]).toMatchObject({ chainId: trail.a.chainId, seq: 1 });
      expect(result.problems[0]!.message).toMatch(/lacks seqs 1–4/);
    });

    it('trusts no retention record signed with a key outside the trusted set', async () => {
      const attacker = newSigningKeyPair();
      const result = await verifyTampered(trail.db, async (trx) => {
        await deleteRecordsOf(trail.a.chainId)(trx);
        await insertRecord(trx, recordOfA(attacker));
      });
      expect(failures(result)).toEqual(['missing', 'unknown-key']);
      expect(result.problems.find((p) => p.kind === 'unknown-key')?.message).toMatch(
        /unknown signing key.*does not vouch for the removal of seqs 1–4/,
      );
    });

    it('trusts no retention record whose signature or columns were altered', async () => {
      for (const change of [
        sql`signature = ${Buffer.alloc(64).toString('base64')}`,
        sql`last_removed_seq = 5`,
      ]) {
        const result = await verifyTampered(trail.db, async (trx) => {
          await sql`update audit_retention_records set ${change}
             where chain_id = ${trail.a.chainId}::uuid`.execute(trx);
        });
        expect(failures(result)).toContain('bad-signature');
        expect(failures(result)).toContain('missing');
        expect(result.intact).toBe(false);
      }
    });

    it('names the first entry after the cut as not linking when a signed record names another hash', async () => {
      const result = await verifyTampered(trail.db, async (trx) => {
        await deleteRecordsOf(trail.a.chainId)(trx);
        await insertRecord(trx, recordOfA(trail.key, { hash: 'ff'.repeat(32) }));
      });
      expect(result.intact).toBe(false);
      const inserted = result.problems.find((p) => p.kind === 'inserted');
      expect(inserted).toMatchObject({ chainId: trail.a.chainId, seq: 5 });
      expect(inserted?.message).toMatch(/does not link to the last entry retention removed/);
    });

    it('names entries deleted after the cut as missing', async () => {
      const result = await verifyTampered(trail.db, async (trx) => {
        await sql`delete from audit_log_entries
           where chain_id = ${trail.a.chainId}::uuid and chain_seq = 5`.execute(trx);
      });
      expect(failures(result)).toEqual(['missing']);
      expect(result.problems[0]).toMatchObject({ chainId: trail.a.chainId, seq: 5 });
    });

    it('names a chain removed entirely without a record, or past its record, as truncated', async () => {
      const withoutRecord = await verifyTampered(trail.db, deleteRecordsOf(trail.b.chainId));
      expect(failures(withoutRecord)).toEqual(['truncated']);
      expect(withoutRecord.problems[0]).toMatchObject({ chainId: trail.b.chainId, seq: 3 });

      const shortRecord = await verifyTampered(trail.db, async (trx) => {
        await deleteRecordsOf(trail.b.chainId)(trx);
        await insertRecord(
          trx,
          newAuditRetentionRecord({
            chainId: trail.b.chainId,
            lastRemovedSeq: 2,
            lastRemovedEntryHash: trail.b.entries[1]!.chain!.entryHash,
            partition: 'audit_log_entries_y2099m01',
            partitionTo: '2099-02-01T00:00:00.000000Z',
            removedBy: 'attacker',
            key: trail.key,
          }),
        );
      });
      expect(failures(shortRecord)).toEqual(['truncated']);
    });

    it('still checks the signatures of checkpoints below the cut', async () => {
      const result = await verifyTampered(trail.db, async (trx) => {
        await sql`update audit_checkpoints set signature = ${Buffer.alloc(64).toString('base64')}
           where id = ${trail.checkpointsOfA[0]!}::uuid`.execute(trx);
      });
      expect(failures(result)).toContain('bad-signature');
      expect(result.problems.find((p) => p.kind === 'bad-signature')?.checkpointId).toBe(
        trail.checkpointsOfA[0],
      );
    });

    it('keeps the records append-only: retention wrote one per chain it cut', async () => {
      expect(await retentionRecordsOf(trail.db, trail.a.chainId)).toHaveLength(1);
      expect(await retentionRecordsOf(trail.db, trail.b.chainId)).toHaveLength(1);
    });
  });
}

describeVerificationAfterRetention('a PostgreSQL server', async () => {
  const database: TestDatabase = await createTestDatabase();
  const db = openPostgresAuditLogDatabase({ connectionString: database.url, maxConnections: 2 });
  await migrateAuditLogToLatest(db);
  return {
    db,
    async close() {
      await db.destroy();
      await database.drop();
    },
  };
});

describeVerificationAfterRetention('PGlite', async () => {
  const pglite = await openTestPglite();
  return { db: pglite.db, close: () => pglite.remove() };
});
