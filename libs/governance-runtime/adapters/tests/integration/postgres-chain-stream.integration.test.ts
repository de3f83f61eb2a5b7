/**
 * The verifier's digest stream (`PostgresChainStream`), on a real PostgreSQL server and on
 * PGlite: it digests rows without building entries, with PostgreSQL writing the canonical
 * JSON of every string, so it is held here to `auditEntryDigest` of the entries the
 * repository reads back, over generated entries full of what canonical JSON is particular
 * about; and it is shown to catch tampering in the middle of a later batch. On a server the
 * rows are streamed by binary COPY; through a Kysely without the COPY cursor, and on PGlite,
 * they are packed by queries: both ways are held to the same digests.
 */
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { auditEntryDigest } from '../../../src/audit-entry-hash.js';
import type { AuditLogEntry } from '../../../src/audit-log-entry.js';
import type { AuditTrailVerification } from '../../../src/audit-trail-problem.js';
import { verifyAuditTrail } from '../../../src/audit-trail-verifier.js';
import { at } from '../../../testing/audit-log-entry-fixtures.js';
import { createTestDatabase } from '../../../testing/create-test-database.js';
import { migrateAuditLogToLatest, openTestPglite } from '../../../testing/open-test-pglite.js';
import { newSigningKeyPair, SignedChainFixture } from '../../../testing/signed-chain-fixture.js';
import type { AuditLogDatabase } from '../../postgres/audit-log-database.js';
import { CopyOutCursor } from '../../postgres/copy-out-cursor.js';
import { openPostgresAuditLogDatabase } from '../../postgres/open-postgres-audit-log-database.js';
import { PostgresAuditLogEntryRepository } from '../../postgres/postgres-audit-log-entry-repository.js';
import { PostgresAuditTrailReader } from '../../postgres/postgres-audit-trail-reader.js';

const ENTRIES = 240;
const BATCH = 50;
/** Small batches, so that a walk takes several queries or COPY statements. */
const BATCHES = { batchSize: BATCH, streamedBatchSize: BATCH };

/** A deterministic generator of entries with the awkward parts of JSON and JCS in every field. */
function awkwardEntries(seed: number) {
  let state = seed;
  const next = () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const strings = [
    'plain',
    '',
    'tab\tnew\nline\rfeed\fback\b',
    'quote " backslash \\ slash /',
    'controls \u0001\u001f\u007f',
    'é 漢字 ß',
    '😀 and 𝄞',
    '\u2028\u2029',
    '<script>&amp;</script>',
  ];
  const names = ['a', 'B', 'é', '\uE000', '😀', '10', '9', '0', 'z\n', '"q"', 'a b', '', 'ab', 'b'];
  const numbers = [0, -0, 1, -1.5, 0.1, 0.1 + 0.2, 1e21, 5e-7, 2 ** 53 + 2, 123456789.125, 1e-300];
  const json = (depth: number): unknown => {
    const r = next();
    if (depth > 2 || r < 0.35) {
      return pick<unknown>([...strings, ...numbers, true, false, null]);
    }
    if (r < 0.55) return Array.from({ length: Math.floor(next() * 4) }, () => json(depth + 1));
    const object: Record<string, unknown> = {};
    for (let i = Math.floor(next() * 5); i > 0; i -= 1) object[pick(names)] = json(depth + 1);
    return object;
  };
  const maybe = (value: string) => (next() < 0.3 ? null : value);
  return (i: number): Partial<AuditLogEntry> => {
    const keyed = next() < 0.3;
    return {
      occurredAt: at(i * 1000 + Math.floor(next() * 999)),
      userId: `user ${pick(strings)}`,
      principalId: maybe(`key:${pick(strings)}`),
      decision: pick(['allow', 'deny', 'error'] as const),
      reasons:
        next() < 0.5 ? [] : [{ code: pick(strings), message: pick(strings), severity: 'high' }],
      policyPath: pick(strings),
      input: { prompt: `${pick(strings)} ${i}`, extra: json(0) },
      result: next() < 0.2 ? null : json(0),
      error: maybe(pick(strings)),
      latencyMs: pick([0, 0.25, 0.1 + 0.2, 1e-7, 123.456, 1e21]),
      requestId: maybe(pick(strings)),
      clientRequestId: maybe(pick(strings)),
      clientAddress: maybe(pick(strings)),
      userAgent: maybe(pick(strings)),
      idempotencyKey: keyed ? `key-${i}-${pick(strings)}x` : null,
      requestDigest: keyed ? `sha256:${i}` : null,
    };
  };
}

function describeChainStream(
  name: string,
  /** How the engine sends rows: COPY streamed through `CopyOutCursor`, or packed by queries. */
  transport: 'copy' | 'query',
  open: () => Promise<{ db: Kysely<AuditLogDatabase>; close(): Promise<void> }>,
) {
  describe(`the verifier's digest stream on ${name}`, () => {
    let db: Kysely<AuditLogDatabase>;
    let close: () => Promise<void>;
    let chain: SignedChainFixture;
    const written: AuditLogEntry[] = [];

    beforeAll(async () => {
      ({ db, close } = await open());
      const key = newSigningKeyPair();
      chain = new SignedChainFixture(db, key);
      await chain.registerKey();
      const overrides = awkwardEntries(7);
      for (let i = 1; i <= ENTRIES; i += 1) written.push(chain.chain(overrides(i)));
      const { results } = await new PostgresAuditLogEntryRepository(db).appendMany(written);
      expect(results.every((r) => r.status === 'committed')).toBe(true);
      await chain.checkpoint({ final: true });
    });
    afterAll(async () => {
      await close?.();
    });

    it('digests every row as auditEntryDigest digests the entry the repository reads back', async () => {
      const reader = new PostgresAuditTrailReader(db, BATCHES);
      const expected: string[] = [];
      for await (const entry of reader.entries(chain.chainId, 1)) {
        expected.push(`${entry.chain!.seq} ${entry.id} ${auditEntryDigest(entry)}`);
      }
      const streamed: string[] = [];
      const batches: number[] = [];
      const copyReads = vi.spyOn(CopyOutCursor.prototype, 'read');
      try {
        for await (const batch of reader.entryDigests(chain.chainId, 1)) {
          batches.push(batch.length);
          for (const e of batch) streamed.push(`${e.chain.seq} ${e.id} ${e.entryDigest}`);
        }
        // The rows came the way this engine is meant to send them.
        expect(copyReads.mock.calls.length > 0).toBe(transport === 'copy');
      } finally {
        copyReads.mockRestore();
      }
      expect(streamed).toHaveLength(ENTRIES);
      expect(streamed).toEqual(expected);
      // And the entries as written hash to what was read: nothing was lost on the way in.
      expect(expected[0]).toBe(`1 ${written[0]!.id} ${auditEntryDigest(written[0]!)}`);
      expect(batches).toEqual([50, 50, 50, 50, 40]);
    });

    it('reads a range of seqs in batches, the last one short', async () => {
      const reader = new PostgresAuditTrailReader(db, BATCHES);
      const seqs: number[] = [];
      for await (const batch of reader.entryDigests(chain.chainId, 45, 160)) {
        for (const e of batch) seqs.push(e.chain.seq);
      }
      expect(seqs).toEqual(Array.from({ length: 116 }, (_, i) => 45 + i));
    });

    it('finds the generated trail intact', async () => {
      const result = await verifyAuditTrail(new PostgresAuditTrailReader(db, BATCHES));
      expect(result).toMatchObject({ intact: true, entriesChecked: ENTRIES, problems: [] });
    });

    it('names an entry altered in the middle of a later batch, and nothing else', async () => {
      const target = written[129]!;
      const result = await tampered(db, async (trx) => {
        await sql`update audit_log_entries set input = '{"prompt": "innocent"}'::jsonb
                   where id = ${target.id}::uuid`.execute(trx);
      });
      expect(result.intact).toBe(false);
      expect(result.problems).toEqual([
        expect.objectContaining({ kind: 'altered', seq: 130, entryId: target.id }),
      ]);
      expect(result.entriesChecked).toBe(ENTRIES);
    });

    it('names an entry whose number no canonical JSON can hold as altered, and walks on', async () => {
      const target = written[170]!;
      const result = await tampered(db, async (trx) => {
        await sql`update audit_log_entries set latency_ms = 'NaN'
                   where id = ${target.id}::uuid`.execute(trx);
      });
      expect(result.problems).toEqual([
        expect.objectContaining({ kind: 'altered', seq: 171, entryId: target.id }),
      ]);
      expect(result.entriesChecked).toBe(ENTRIES);
    });
  });
}

const ROLLBACK = new Error('rollback');

/** Tampers as a superuser past the triggers, verifies in the transaction, and rolls back. */
async function tampered(
  db: Kysely<AuditLogDatabase>,
  tamper: (trx: Kysely<AuditLogDatabase>) => Promise<void>,
): Promise<AuditTrailVerification> {
  let result: AuditTrailVerification | undefined;
  await db
    .transaction()
    .execute(async (trx) => {
      await sql`set local session_replication_role = replica`.execute(trx);
      await tamper(trx);
      result = await verifyAuditTrail(new PostgresAuditTrailReader(trx, BATCHES));
      throw ROLLBACK;
    })
    .catch((error: unknown) => {
      if (error !== ROLLBACK) throw error;
    });
  return result!;
}

describeChainStream('a PostgreSQL server', 'copy', async () => {
  const database = await createTestDatabase();
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

describeChainStream(
  'a PostgreSQL server through a Kysely that cannot stream COPY',
  'query',
  async () => {
    const database = await createTestDatabase();
    const pool = new pg.Pool({ connectionString: database.url, max: 2 });
    const db = new Kysely<AuditLogDatabase>({ dialect: new PostgresDialect({ pool }) });
    await migrateAuditLogToLatest(db);
    return {
      db,
      async close() {
        await db.destroy();
        await database.drop();
      },
    };
  },
);

describeChainStream('PGlite', 'query', async () => {
  const pglite = await openTestPglite();
  return { db: pglite.db, close: () => pglite.remove() };
});
