/**
 * Tampering with a stored audit trail, on a real PostgreSQL server and on PGlite, each way
 * an attacker with the database in hand might: every change is made as a superuser with
 * triggers bypassed (`session_replication_role = replica`), so that the verifier, not the
 * append-only trigger, is what must catch it. Each case runs in a transaction that is rolled
 * back, over the same signed trail: chain A (40 entries, checkpoints at 10, 20, 30 and a
 * final one at 40), chain B (12 entries, checkpoints at 9 and 10, an unsealed tail), and two
 * entries written before tamper evidence.
 */
import { randomUUID } from 'node:crypto';
import { type Kysely, sql, type Transaction } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEntryHash } from '../../../src/audit-entry-hash.js';
import { buildAuditEntryProof, isAuditEntryProofRefusal } from '../../../src/audit-entry-proof.js';
import { checkAuditEntryProof } from '../../../src/audit-entry-proof-check.js';
import type { AuditLogEntry } from '../../../src/audit-log-entry.js';
import type {
  AuditTrailProblemKind,
  AuditTrailVerification,
} from '../../../src/audit-trail-problem.js';
import {
  type VerifyAuditTrailOptions,
  verifyAuditTrail,
} from '../../../src/audit-trail-verifier.js';
import { publicKeysFromPem } from '../../../src/checkpoint-check.js';
import type { DigestedAuditEntry } from '../../../src/digested-audit-entry.js';
import { makeEntry } from '../../../testing/audit-log-entry-fixtures.js';
import { createTestDatabase, type TestDatabase } from '../../../testing/create-test-database.js';
import { migrateAuditLogToLatest, openTestPglite } from '../../../testing/open-test-pglite.js';
import {
  insertCheckpoint,
  newSigningKeyPair,
  SignedChainFixture,
  type SigningKeyPair,
} from '../../../testing/signed-chain-fixture.js';
import type { AuditLogDatabase } from '../../postgres/audit-log-database.js';
import { openPostgresAuditLogDatabase } from '../../postgres/open-postgres-audit-log-database.js';
import {
  PostgresAuditLogEntryRepository,
  toRow,
} from '../../postgres/postgres-audit-log-entry-repository.js';
import { PostgresAuditTrailReader } from '../../postgres/postgres-audit-trail-reader.js';

interface Trail {
  readonly db: Kysely<AuditLogDatabase>;
  readonly key: SigningKeyPair;
  readonly a: SignedChainFixture;
  readonly b: SignedChainFixture;
  readonly checkpointsOfA: readonly string[];
}

async function writeTrail(db: Kysely<AuditLogDatabase>): Promise<Trail> {
  const key = newSigningKeyPair();
  const a = new SignedChainFixture(db, key);
  const b = new SignedChainFixture(db, key);
  await a.registerKey();
  const checkpointsOfA: string[] = [];
  for (let i = 0; i < 4; i += 1) {
    await a.append(10);
    checkpointsOfA.push(await a.checkpoint({ final: i === 3 }));
  }
  // Checkpoints at 9 and 10, which sort the other way as text.
  await b.append(9);
  await b.checkpoint();
  await b.append(1);
  await b.checkpoint();
  await b.append(2);
  const repository = new PostgresAuditLogEntryRepository(db);
  await repository.appendMany([makeEntry(), makeEntry()]);
  return { db, key, a, b, checkpointsOfA };
}

const ROLLBACK = new Error('rollback');

/** Tampers inside a transaction, verifies what the transaction sees, and rolls it all back. */
async function verifyTampered(
  db: Kysely<AuditLogDatabase>,
  tamper: (trx: Transaction<AuditLogDatabase>) => Promise<void>,
  options: VerifyAuditTrailOptions = {},
): Promise<AuditTrailVerification> {
  let result: AuditTrailVerification | undefined;
  await db
    .transaction()
    .execute(async (trx) => {
      // As a superuser, past any trigger: what the verifier must catch by itself.
      await sql`set local session_replication_role = replica`.execute(trx);
      await tamper(trx);
      result = await verifyAuditTrail(new PostgresAuditTrailReader(trx, { batchSize: 7 }), options);
      throw ROLLBACK;
    })
    .catch((error: unknown) => {
      if (error !== ROLLBACK) throw error;
    });
  return result!;
}

function problem(result: AuditTrailVerification, kind: AuditTrailProblemKind) {
  return result.problems.find((p) => p.kind === kind);
}

function failures(result: AuditTrailVerification): AuditTrailProblemKind[] {
  return result.problems
    .filter((p) => p.kind !== 'unsealed-tail' && p.kind !== 'unchained')
    .map((p) => p.kind);
}

/** A value of the column's type that differs from what it holds. */
function changed(column: string, type: string) {
  const ref = sql.ref(column);
  if (column === 'decision') return sql`case when decision = 'allow' then 'deny' else 'allow' end`;
  if (type === 'jsonb') return sql`'{"tampered": true}'::jsonb`;
  if (type === 'timestamp with time zone') return sql`${ref} + interval '1 microsecond'`;
  if (type === 'double precision' || type === 'bigint' || type === 'integer') {
    return sql`${ref} + 1`;
  }
  if (type === 'uuid') return sql`gen_random_uuid()`;
  if (type === 'boolean') return sql`not coalesce(${ref}, false)`;
  return sql`coalesce(${ref}::text, '') || 'x'`;
}

function describeTamperEvidence(
  name: string,
  open: () => Promise<{ db: Kysely<AuditLogDatabase>; close(): Promise<void> }>,
) {
  describe(`tampering with the audit trail on ${name}, triggers bypassed`, () => {
    let trail: Trail;
    let close: () => Promise<void>;
    const entryOfA = (seq: number) => trail.a.entries[seq - 1]!;

    beforeAll(async () => {
      const opened = await open();
      close = opened.close;
      trail = await writeTrail(opened.db);
    });
    afterAll(async () => {
      await close?.();
    });

    it('finds the untouched trail intact, and warns of the unsealed tail and the unchained entries', async () => {
      const result = await verifyTampered(trail.db, async () => undefined);
      expect(result).toMatchObject({ intact: true, entriesChecked: 52, chains: 2, checkpoints: 6 });
      expect(failures(result)).toEqual([]);
      expect(problem(result, 'unsealed-tail')).toMatchObject({
        chainId: trail.b.chainId,
        seq: 11,
        entryId: trail.b.entries[11]!.id,
      });
      expect(problem(result, 'unchained')?.message).toMatch(/^2 entries were written before/);
      expect(result.heads.map((h) => [h.chainId, h.seq, h.final]).sort()).toEqual(
        [
          [trail.a.chainId, 40, true],
          [trail.b.chainId, 12, false],
        ].sort(),
      );
    });

    it('names every stored field whose UPDATE it catches as altered, at the entry and seq', async () => {
      const { rows } = await sql<{ column_name: string; data_type: string }>`
        select column_name, data_type from information_schema.columns
         where table_name = 'audit_log_entries' and table_schema = current_schema()
           and column_name not in ('inserted_at', 'chain_id', 'chain_seq')
         order by column_name`.execute(trail.db);
      expect(rows.length).toBeGreaterThanOrEqual(22);
      const target = entryOfA(15);
      for (const { column_name: column, data_type: type } of rows) {
        const result = await verifyTampered(trail.db, async (trx) => {
          await sql`update audit_log_entries set ${sql.ref(column)} = ${changed(column, type)}
                     where id = ${target.id}::uuid`.execute(trx);
        });
        expect(result.intact, column).toBe(false);
        expect(failures(result), column).toEqual(['altered']);
        expect(problem(result, 'altered'), column).toMatchObject({
          chainId: trail.a.chainId,
          seq: 15,
          ...(column === 'id' ? {} : { entryId: target.id }),
        });
        expect(result.failedEntryIds.length, column).toBe(1);
      }
    });

    it('names a DELETE in the middle of a chain as missing, with the seq and the entry after the gap', async () => {
      const result = await verifyTampered(trail.db, async (trx) => {
        await sql`delete from audit_log_entries where id = ${entryOfA(23).id}::uuid`.execute(trx);
      });
      expect(failures(result)).toEqual(['missing']);
      expect(problem(result, 'missing')).toMatchObject({
        chainId: trail.a.chainId,
        seq: 23,
        entryId: entryOfA(24).id,
      });
      expect(problem(result, 'missing')?.message).toContain('lacks seq 23');
    });

    it('names the DELETE of the last entries after a checkpoint as truncated', async () => {
      const result = await verifyTampered(trail.db, async (trx) => {
        await sql`delete from audit_log_entries
                   where chain_id = ${trail.a.chainId}::uuid and chain_seq > 36`.execute(trx);
      });
      expect(failures(result)).toEqual(['truncated']);
      expect(problem(result, 'truncated')).toMatchObject({
        chainId: trail.a.chainId,
        seq: 40,
        checkpointId: trail.checkpointsOfA[3],
        entryId: entryOfA(36).id,
      });
      expect(problem(result, 'truncated')?.message).toContain(
        '4 entries were deleted from its end',
      );
    });

    it('names a forged entry with a plausible hash, appended after the final checkpoint, as inserted', async () => {
      const forged = forge(trail.a, entryOfA(40), 41);
      const result = await verifyTampered(trail.db, async (trx) => {
        await trx.insertInto('audit_log_entries').values(toRow(forged)).execute();
      });
      expect(failures(result)).toEqual(['inserted']);
      expect(problem(result, 'inserted')).toMatchObject({ entryId: forged.id, seq: 41 });
    });

    it('names an entry replaced by a forged one with a plausible hash as inserted', async () => {
      const forged = forge(trail.a, entryOfA(11), 12);
      const result = await verifyTampered(trail.db, async (trx) => {
        await sql`delete from audit_log_entries where id = ${entryOfA(12).id}::uuid`.execute(trx);
        await trx.insertInto('audit_log_entries').values(toRow(forged)).execute();
      });
      expect(failures(result)).toEqual(['inserted']);
      expect(problem(result, 'inserted')).toMatchObject({ entryId: forged.id, seq: 12 });
    });

    it("names a forged entry slipped in by shifting the later entries' seqs as inserted, and the shifted ones as reordered", async () => {
      const forged = forge(trail.b, trail.b.entries[4]!, 6);
      const result = await verifyTampered(trail.db, async (trx) => {
        for (let seq = 12; seq >= 6; seq -= 1) {
          await sql`update audit_log_entries set chain_seq = chain_seq + 1
                     where chain_id = ${trail.b.chainId}::uuid and chain_seq = ${seq}`.execute(trx);
        }
        await trx.insertInto('audit_log_entries').values(toRow(forged)).execute();
      });
      expect(problem(result, 'inserted')).toMatchObject({ entryId: forged.id, seq: 6 });
      expect(problem(result, 'reordered')).toMatchObject({
        entryId: trail.b.entries[5]!.id,
        seq: 7,
      });
    });

    it('names two entries whose sequence numbers were swapped as reordered', async () => {
      const result = await verifyTampered(trail.db, async (trx) => {
        const swap = (seq: number, to: number) =>
          sql`update audit_log_entries set chain_seq = ${to}
               where chain_id = ${trail.a.chainId}::uuid and chain_seq = ${seq}`.execute(trx);
        await swap(5, 1_000_000);
        await swap(6, 5);
        await swap(1_000_000, 6);
      });
      expect(failures(result)).toEqual(['reordered']);
      expect(problem(result, 'reordered')).toMatchObject({ entryId: entryOfA(6).id, seq: 5 });
      expect(problem(result, 'reordered')?.message).toContain('was written at seq 6');
      expect(result.problemCounts.reordered).toBe(2);
    });

    it('names a checkpoint whose signed head was edited as a bad signature', async () => {
      const result = await verifyTampered(trail.db, async (trx) => {
        await sql`update audit_checkpoints set chain_seq = 25, entry_hash = ${entryOfA(25).chain!.entryHash},
                   payload = replace(payload, '"chain_seq":30', '"chain_seq":25')
                   where id = ${trail.checkpointsOfA[2]!}::uuid`.execute(trx);
      });
      expect(failures(result)).toEqual(['bad-signature']);
      expect(problem(result, 'bad-signature')).toMatchObject({
        checkpointId: trail.checkpointsOfA[2],
      });
    });

    it('names a checkpoint replaced by one signed with another key as an unknown key, and the next as not following it', async () => {
      const attacker = newSigningKeyPair();
      const result = await verifyTampered(trail.db, async (trx) => {
        await sql`delete from audit_checkpoints where id = ${trail.checkpointsOfA[1]!}::uuid`.execute(
          trx,
        );
        await insertCheckpoint(
          trx,
          await replacementPayload(trx, trail, attacker, 20),
          attacker.privateKey,
        );
      });
      expect(failures(result)).toEqual(['bad-signature', 'unknown-key']);
      expect(problem(result, 'unknown-key')?.message).toContain(attacker.keyId);
      expect(problem(result, 'bad-signature')).toMatchObject({
        checkpointId: trail.checkpointsOfA[2],
      });
    });

    it('catches an edited public key in the key table as an unknown key', async () => {
      const attacker = newSigningKeyPair();
      const result = await verifyTampered(trail.db, async (trx) => {
        await sql`update audit_signing_keys set public_key_pem = ${attacker.publicKeyPem}
                   where key_id = ${trail.key.keyId}`.execute(trx);
      });
      expect(problem(result, 'unknown-key')?.message).toContain('the key table was edited');
      expect(result.intact).toBe(false);
    });

    it('catches a trail re-signed with a key the attacker added to the key table, when given the real public key', async () => {
      const attacker = newSigningKeyPair();
      const tamper = async (trx: Transaction<AuditLogDatabase>) => {
        await trx
          .insertInto('audit_signing_keys')
          .values({
            key_id: attacker.keyId,
            algorithm: 'ed25519',
            public_key_pem: attacker.publicKeyPem,
            first_used_by: 'attacker',
          })
          .execute();
        await sql`delete from audit_checkpoints where id = ${trail.checkpointsOfA[3]!}::uuid`.execute(
          trx,
        );
        await insertCheckpoint(
          trx,
          await replacementPayload(trx, trail, attacker, 40, true),
          attacker.privateKey,
        );
      };
      const trustingTheStore = await verifyTampered(trail.db, tamper);
      expect(failures(trustingTheStore)).toEqual([]);
      const withTheRealKey = await verifyTampered(trail.db, tamper, {
        trustedKeys: publicKeysFromPem(trail.key.publicKeyPem),
        trustedKeysSource: 'audit-public-key.pem',
      });
      expect(failures(withTheRealKey)).toEqual(['unknown-key']);
      expect(problem(withTheRealKey, 'unknown-key')?.message).toContain('audit-public-key.pem');
    });

    it('verifies only the chain segments a time range overlaps, from the checkpoint before it to the one after', async () => {
      const since = entryOfA(22).occurredAt;
      const until = entryOfA(25).occurredAt;
      const result = await verifyTampered(
        trail.db,
        async (trx) => {
          await sql`delete from audit_log_entries where id = ${entryOfA(5).id}::uuid`.execute(trx);
        },
        { range: { since, until } },
      );
      // Seqs 21–30: from checkpoint 20 to checkpoint 30. The deletion at 5 lies outside it.
      expect(result).toMatchObject({ intact: true, entriesChecked: 10, chains: 1 });
      const altered = await verifyTampered(
        trail.db,
        async (trx) => {
          await sql`update audit_log_entries set user_id = 'mallory'
                     where id = ${entryOfA(29).id}::uuid`.execute(trx);
        },
        { range: { since, until } },
      );
      expect(problem(altered, 'altered')).toMatchObject({ seq: 29 });
    });

    it('proves one entry offline with the links to the next checkpoint, without the other entries’ prompts', async () => {
      const reader = new PostgresAuditTrailReader(trail.db);
      const proof = await buildAuditEntryProof(reader, entryOfA(13));
      if (isAuditEntryProofRefusal(proof)) throw new Error(proof.message);
      expect(proof.links.map((l) => l.seq)).toEqual([13, 14, 15, 16, 17, 18, 19, 20]);
      const text = JSON.stringify(proof);
      expect(text).toContain('prompt 13');
      expect(text).not.toContain('prompt 14');
      expect(checkAuditEntryProof(JSON.parse(text))).toMatchObject({ valid: true });
      expect(
        checkAuditEntryProof(proof, publicKeysFromPem(trail.key.publicKeyPem)).message,
      ).toContain(`vouched for by checkpoint ${trail.checkpointsOfA[1]}`);

      const edited = { ...proof, entry: { ...proof.entry, decision: 'deny' } };
      expect(checkAuditEntryProof(edited)).toMatchObject({ valid: false });
      const otherKey = newSigningKeyPair();
      expect(
        checkAuditEntryProof(proof, publicKeysFromPem(otherKey.publicKeyPem)).message,
      ).toContain('unknown key');
      const unsealed = await buildAuditEntryProof(reader, trail.b.entries[10]!);
      expect(unsealed).toMatchObject({ reason: 'unsealed' });
    });
    it('does not call a live chain cut short when its last entries and checkpoint commit during the walk', async () => {
      // Runs last: it adds a chain for good. The reader's first read of the chain stops at seq 6,
      // as if 7–10 were not committed yet; the checkpoint at 10 is read after them.
      const live = new SignedChainFixture(trail.db, trail.key);
      await live.append(10);
      await live.checkpoint();
      const result = await verifyAuditTrail(new LaggingReader(trail.db, live.chainId, 6));
      expect(failures(result)).toEqual([]);
      expect(result.entriesChecked).toBe(62);
    });
  });
}

/** A reader that, on its first read of one chain, stops after `visibleUpTo`, as a read racing the writer would. */
class LaggingReader extends PostgresAuditTrailReader {
  readonly #chainId: string;
  readonly #visibleUpTo: number;
  #lagged = false;

  constructor(db: Kysely<AuditLogDatabase>, chainId: string, visibleUpTo: number) {
    super(db, { batchSize: 7 });
    this.#chainId = chainId;
    this.#visibleUpTo = visibleUpTo;
  }

  override async *entryDigests(
    chainId: string,
    fromSeq: number,
    toSeq?: number,
  ): AsyncIterable<readonly DigestedAuditEntry[]> {
    const lag = !this.#lagged && chainId === this.#chainId;
    if (lag) this.#lagged = true;
    for await (const batch of super.entryDigests(chainId, fromSeq, toSeq)) {
      const visible = lag ? batch.filter((entry) => entry.chain.seq <= this.#visibleUpTo) : batch;
      if (visible.length > 0) yield visible;
      if (visible.length < batch.length) return;
    }
  }
}

/** An entry at `seq` of the chain linked to `previous`, hashed correctly: a plausible forgery. */
function forge(chain: SignedChainFixture, previous: AuditLogEntry, seq: number): AuditLogEntry {
  const entry = makeEntry({
    userId: 'mallory',
    decision: 'allow',
    occurredAt: previous.occurredAt,
  });
  const position = { chainId: chain.chainId, seq, prevHash: previous.chain!.entryHash };
  return { ...entry, chain: { ...position, entryHash: auditEntryHash(entry, position) } };
}

/** A checkpoint of chain A at `seq` that follows the real one before it, signed by `key`. */
async function replacementPayload(
  trx: Transaction<AuditLogDatabase>,
  trail: Trail,
  key: SigningKeyPair,
  seq: number,
  final = false,
) {
  const index = seq / 10 - 1;
  const previousId = trail.checkpointsOfA[index - 1] ?? null;
  const previous =
    previousId === null
      ? undefined
      : await trx
          .selectFrom('audit_checkpoints')
          .select('checkpoint_hash')
          .where('id', '=', previousId)
          .executeTakeFirst();
  return {
    v: 1 as const,
    id: randomUUID(),
    chain_id: trail.a.chainId,
    chain_seq: seq,
    entry_hash: trail.a.entries[seq - 1]!.chain!.entryHash,
    prev_checkpoint_id: previousId,
    prev_checkpoint_hash: previous?.checkpoint_hash ?? null,
    key_id: key.keyId,
    created_at: trail.a.entries[seq - 1]!.occurredAt,
    instance: 'attacker:1',
    reason: final ? 'final' : 'entries',
    final,
  };
}

describeTamperEvidence('a PostgreSQL server', async () => {
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

describeTamperEvidence('PGlite', async () => {
  const pglite = await openTestPglite();
  return { db: pglite.db, close: () => pglite.remove() };
});
