/**
 * A chain's entries as the verifier walks them, digested straight from their rows
 * (`stored-entry-digest.ts`), in keyset batches along the `(chain_id, chain_seq)` index, with
 * the next batch asked for before this one is digested, so that the server reads while this
 * process hashes. Memory stays bounded by two batches.
 */
import { type Kysely, sql } from 'kysely';
import type { DigestedAuditEntry } from '../../src/digested-audit-entry.js';
import type { AuditLogDatabase } from './audit-log-database.js';
import {
  CanonicalJsonTexts,
  digestStoredRow,
  type StoredEntryDigestPlan,
} from './stored-entry-digest.js';

interface PackedRow {
  readonly row: string;
}

export class PostgresChainStream {
  readonly #db: Kysely<AuditLogDatabase>;
  readonly #plan: StoredEntryDigestPlan;
  readonly #batchSize: number;

  constructor(db: Kysely<AuditLogDatabase>, plan: StoredEntryDigestPlan, batchSize: number) {
    this.#db = db;
    this.#plan = plan;
    this.#batchSize = batchSize;
  }

  /** The chain's entries from `fromSeq` on (up to `toSeq` when given), in seq order, digested. */
  async *digests(
    chainId: string,
    fromSeq: number,
    toSeq?: number,
  ): AsyncIterable<readonly DigestedAuditEntry[]> {
    const texts = new CanonicalJsonTexts();
    let next = this.#batch(chainId, { fromSeq }, toSeq);
    for (;;) {
      const rows = await next;
      const count = rows.length;
      if (count === 0) return;
      // The last row first: it is where the next batch starts, which is asked for at once.
      const last = digestStoredRow(rows[count - 1]!.row, chainId, this.#plan, texts);
      const more = count === this.#batchSize;
      if (more) {
        next = this.#batch(chainId, { afterSeq: last.chain.seq, afterId: last.id }, toSeq);
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

  async #batch(
    chainId: string,
    from: { fromSeq: number } | { afterSeq: number; afterId: string },
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
