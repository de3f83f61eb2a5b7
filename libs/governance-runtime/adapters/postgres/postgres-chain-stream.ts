/**
 * A chain's entries as the verifier walks them, digested straight from their rows
 * (`stored-entry-digest.ts`), in keyset batches along the `(chain_id, chain_seq)` index.
 *
 * On a PostgreSQL server each batch is one `COPY (…) TO STDOUT (FORMAT binary)` streamed
 * through the dialect's `CopyOutCursor`: rows are parsed and digested from the bytes as they
 * arrive, their text runs hashed as those bytes, with no string or object per row from the
 * driver, while the server goes on sending. Where the Kysely cannot stream a COPY (PGlite,
 * or a dialect opened without the cursor), each batch is an ordinary query returning one
 * packed text per row, the next batch asked for before this one is digested. Memory stays
 * bounded by a batch's digests (COPY) or two batches' rows (queries).
 */
import { type Kysely, sql } from 'kysely';
import type { DigestedAuditEntry } from '../../src/digested-audit-entry.js';
import type { AuditLogDatabase } from './audit-log-database.js';
import { BinaryCopyTuples, type CopyTuple } from './binary-copy-tuples.js';
import { CopyDigestedEntries } from './copy-digested-entry.js';
import { PreimageBytes } from './preimage-bytes.js';
import {
  CanonicalJsonTexts,
  digestStoredRow,
  digestStoredTuple,
  type StoredEntryDigestPlan,
} from './stored-entry-digest.js';

interface PackedRow {
  readonly row: string;
}

type BatchStart = { fromSeq: number } | { afterSeq: number; afterId: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class PostgresChainStream {
  readonly #db: Kysely<AuditLogDatabase>;
  readonly #plan: StoredEntryDigestPlan;
  readonly #batchSize: number;
  readonly #copyBatchSize: number;
  /** Whether the Kysely streams COPY; learnt from the first attempt. */
  #copies: boolean | undefined;

  /** `batchSizes`: rows per query, and per COPY statement. */
  constructor(
    db: Kysely<AuditLogDatabase>,
    plan: StoredEntryDigestPlan,
    batchSizes: { readonly queried: number; readonly streamed: number },
  ) {
    this.#db = db;
    this.#plan = plan;
    this.#batchSize = batchSizes.queried;
    this.#copyBatchSize = batchSizes.streamed;
  }

  /** The chain's entries from `fromSeq` on (up to `toSeq` when given), in seq order, digested. */
  async *digests(
    chainId: string,
    fromSeq: number,
    toSeq?: number,
  ): AsyncIterable<readonly DigestedAuditEntry[]> {
    if (this.#copies !== false && UUID.test(chainId)) {
      const texts = new CanonicalJsonTexts();
      const preimage = new PreimageBytes();
      let from: BatchStart = { fromSeq };
      for (;;) {
        let batch: DigestedAuditEntry[];
        try {
          batch = await this.#copyBatch(chainId, from, toSeq, texts, preimage);
        } catch (error) {
          if (this.#copies === undefined && cannotStream(error)) {
            this.#copies = false;
            break;
          }
          throw error;
        }
        this.#copies = true;
        const last = batch[batch.length - 1];
        if (last === undefined) return;
        yield batch;
        if (batch.length < this.#copyBatchSize) return;
        from = { afterSeq: last.chain.seq, afterId: last.id };
      }
    }
    yield* this.#packedDigests(chainId, fromSeq, toSeq);
  }

  /** One batch through COPY, digested. */
  async #copyBatch(
    chainId: string,
    from: BatchStart,
    toSeq: number | undefined,
    texts: CanonicalJsonTexts,
    preimage: PreimageBytes,
  ): Promise<DigestedAuditEntry[]> {
    const plan = this.#plan;
    // COPY takes no parameters: every value is a literal, the chain id checked as a uuid and
    // the seqs integers.
    const start =
      'fromSeq' in from
        ? sql`chain_seq >= ${sql.lit(integer(from.fromSeq))}`
        : sql`(chain_seq, id) > (${sql.lit(integer(from.afterSeq))}, ${sql.lit(uuid(from.afterId))}::uuid)`;
    const end = toSeq === undefined ? sql`true` : sql`chain_seq <= ${sql.lit(integer(toSeq))}`;
    const compiled = sql`copy (
      select ${plan.fields}
        from (select ${plan.reads}, id as key_id
                from audit_log_entries
               where chain_id = ${sql.lit(uuid(chainId))}::uuid and ${start} and ${end}
               order by chain_seq, id
               limit ${sql.lit(this.#copyBatchSize)}) e
       order by e.chain_seq, e.key_id) to stdout (format binary)`.compile(this.#db);
    const tuples = new BinaryCopyTuples(plan.fieldCount);
    const entries = new CopyDigestedEntries(chainId);
    const digested: DigestedAuditEntry[] = [];
    const onTuple = (tuple: CopyTuple) => {
      digested.push(digestStoredTuple(tuple, entries, plan, texts, preimage));
    };
    // Rows are digested as they arrive, but handed on only once the COPY has ended: until
    // then the connection is busy, and the verifier, which asks it for checkpoints between
    // entries, would wait on it forever where it has only one (a transaction's).
    for await (const { rows } of this.#db.getExecutor().stream<Buffer>(compiled, 1)) {
      for (const chunk of rows) tuples.push(chunk, onTuple);
    }
    tuples.end();
    return digested;
  }

  /** Batches through ordinary queries of packed rows. */
  async *#packedDigests(
    chainId: string,
    fromSeq: number,
    toSeq?: number,
  ): AsyncIterable<readonly DigestedAuditEntry[]> {
    const texts = new CanonicalJsonTexts();
    let next = this.#packedBatch(chainId, { fromSeq }, toSeq);
    for (;;) {
      const rows = await next;
      const count = rows.length;
      if (count === 0) return;
      // The last row first: it is where the next batch starts, which is asked for at once.
      const last = digestStoredRow(rows[count - 1]!.row, chainId, this.#plan, texts);
      const more = count === this.#batchSize;
      if (more) {
        next = this.#packedBatch(chainId, { afterSeq: last.chain.seq, afterId: last.id }, toSeq);
        // Awaited on the next turn; a walk that stops early must not leave it unhandled.
        next.catch(() => undefined);
      }
      const batch: DigestedAuditEntry[] = new Array(count);
      for (let i = 0; i < count - 1; i += 1) {
        batch[i] = digestStoredRow(rows[i]!.row, chainId, this.#plan, texts);
      }
      batch[count - 1] = last;
      yield batch;
      if (!more) return;
    }
  }

  async #packedBatch(
    chainId: string,
    from: BatchStart,
    toSeq: number | undefined,
  ): Promise<readonly PackedRow[]> {
    const plan = this.#plan;
    const start =
      'fromSeq' in from
        ? sql`chain_seq >= ${from.fromSeq}`
        : sql`(chain_seq, id) > (${from.afterSeq}, ${from.afterId}::uuid)`;
    const end = toSeq === undefined ? sql`true` : sql`chain_seq <= ${toSeq}`;
    // The inner query reads each field once, as the repository reads it; the outer one packs
    // the canonical runs and the rest into one text.
    const { rows } = await sql<PackedRow>`
      select ${plan.packed} as row
        from (select ${plan.reads}, id as key_id
                from audit_log_entries
               where chain_id = ${chainId}::uuid and ${start} and ${end}
               order by chain_seq, id
               limit ${this.#batchSize}) e
       order by e.chain_seq, e.key_id`.execute(this.#db);
    return rows;
  }
}

/**
 * Whether the Kysely refused to stream before sending anything (PGlite; a `pg` dialect
 * without `CopyOutCursor`): an error of the client, not the server, which would carry a
 * SQLSTATE and, in a transaction, have aborted it.
 */
function cannotStream(error: unknown): boolean {
  return !(error instanceof Error && 'code' in error);
}

function integer(value: number): number {
  if (!Number.isSafeInteger(value)) throw new RangeError(`not a seq: ${value}`);
  return value;
}

function uuid(value: string): string {
  if (!UUID.test(value)) throw new RangeError(`not a uuid: ${value}`);
  return value;
}
