/**
 * Reads the audit trail for the verifier from PostgreSQL or PGlite: each chain's entries in
 * keyset batches along the unique `(chain_id, chain_seq)` index of migration 007, so that
 * memory stays bounded by one batch and every batch is an index range scan. Entries are read
 * with the repository's own selection and mapping (as one JSON array per row, which the driver
 * decodes faster than two dozen columns), so the verifier hashes exactly what the API serves.
 */
import { type Kysely, sql } from 'kysely';
import type { AuditLogEntry } from '../../src/audit-log-entry.js';
import type { AuditRetentionRecord } from '../../src/audit-retention-record.js';
import type {
  AuditChainSegment,
  AuditTrailRange,
  AuditTrailReader,
  StoredAuditCheckpoint,
  StoredSigningKey,
} from '../../src/audit-trail-reader.js';
import { type DigestedAuditEntry, digestAuditEntry } from '../../src/digested-audit-entry.js';
import type { AuditLogDatabase } from './audit-log-database.js';
import { retentionRecordsOf } from './audit-retention.js';
import {
  SELECTION_AS_JSON_ARRAY,
  toEntryFromJsonArray,
} from './postgres-audit-log-entry-repository.js';
import { PostgresChainStream } from './postgres-chain-stream.js';
import { storedEntryDigestPlan } from './stored-entry-digest.js';

export interface PostgresAuditTrailReaderOptions {
  /** Entries (or checkpoints) per query. Default 2,000. */
  readonly batchSize?: number;
  /**
   * Entries per COPY statement where the verifier streams them (a `pg` Kysely opened by
   * `openPostgresAuditLogDatabase`): fewer statements save the server planning each; the
   * batch's digests (some 400 bytes an entry) are held until it ends. Default 20,000.
   */
  readonly streamedBatchSize?: number;
}

export class PostgresAuditTrailReader implements AuditTrailReader {
  readonly #db: Kysely<AuditLogDatabase>;
  readonly #batchSize: number;
  readonly #stream: PostgresChainStream | undefined;

  constructor(db: Kysely<AuditLogDatabase>, options: PostgresAuditTrailReaderOptions = {}) {
    this.#db = db;
    this.#batchSize = options.batchSize ?? 2000;
    const plan = storedEntryDigestPlan();
    this.#stream =
      plan &&
      new PostgresChainStream(db, plan, {
        queried: this.#batchSize,
        streamed: options.streamedBatchSize ?? 20_000,
      });
  }

  async chainSegments(range: AuditTrailRange): Promise<readonly AuditChainSegment[]> {
    const ranged = range.since !== undefined || range.until !== undefined;
    const { rows } = ranged
      ? await sql<SegmentRow>`
          with entry_chains as (
            select chain_id, min(chain_seq) as first_seq, max(chain_seq) as last_seq
              from audit_log_entries
             where chain_id is not null and ${inRange(sql.ref('occurred_at'), range, 'timestamptz')}
             group by chain_id),
          checkpoint_chains as (
            select chain_id, min(chain_seq) as first_seq, max(chain_seq) as last_seq
              from audit_checkpoints
             where ${inRange(sql.ref('created_at'), range, 'text')}
             group by chain_id)
          select chain_id::text, first_seq::text, last_seq::text from entry_chains
          union all
          select chain_id::text, first_seq::text, last_seq::text from checkpoint_chains
           where chain_id not in (select chain_id from entry_chains)
          union all
          -- Chains retention removed whole, of which only the record is left: those whose
          -- removed partition ended after the range began.
          select distinct chain_id::text, null, null from audit_retention_records
           where ${range.since === undefined ? sql`true` : sql`partition_to > ${range.since}::text`}
             and chain_id not in (select chain_id from entry_chains)
             and chain_id not in (select chain_id from checkpoint_chains)
          order by chain_id`.execute(this.#db)
      : // Every chain: a skip scan over the (chain_id, chain_seq) index, one step per chain,
        // rather than reading the whole index to group it.
        await sql<SegmentRow>`
          with recursive chains (chain_id) as (
            (select chain_id from audit_log_entries where chain_id is not null
              order by chain_id limit 1)
            union all
            select (select e.chain_id from audit_log_entries e
                     where e.chain_id > chains.chain_id order by e.chain_id limit 1)
              from chains where chains.chain_id is not null),
          all_chains as (
            select chain_id from chains where chain_id is not null
            union
            select distinct chain_id from audit_checkpoints
            union
            -- A chain retention removed whole before it was ever checkpointed.
            select distinct chain_id from audit_retention_records)
          select c.chain_id::text,
                 (select min(chain_seq) from audit_log_entries e where e.chain_id = c.chain_id)::text as first_seq,
                 (select max(chain_seq) from audit_log_entries e where e.chain_id = c.chain_id)::text as last_seq
            from all_chains c
           order by c.chain_id`.execute(this.#db);
    return rows.map((row) => ({
      chainId: row.chain_id,
      firstSeq: row.first_seq === null ? null : Number(row.first_seq),
      lastSeq: row.last_seq === null ? null : Number(row.last_seq),
    }));
  }

  async *entries(chainId: string, fromSeq: number, toSeq?: number): AsyncIterable<AuditLogEntry> {
    let after: { seq: number; id: string } | undefined;
    for (;;) {
      const start =
        after === undefined
          ? sql`chain_seq >= ${fromSeq}`
          : sql`(chain_seq, id) > (${after.seq}, ${after.id}::uuid)`;
      const end = toSeq === undefined ? sql`true` : sql`chain_seq <= ${toSeq}`;
      const { rows } = await sql<{ entry: string }>`
        select ${SELECTION_AS_JSON_ARRAY} as entry
          from audit_log_entries
         where chain_id = ${chainId}::uuid and ${start} and ${end}
         order by chain_seq, id
         limit ${this.#batchSize}`.execute(this.#db);
      let last: AuditLogEntry | undefined;
      for (const row of rows) {
        last = toEntryFromJsonArray(row.entry);
        yield last;
      }
      if (rows.length < this.#batchSize || last === undefined) return;
      after = { seq: last.chain?.seq ?? 0, id: last.id };
    }
  }

  /** Digested from the rows (`PostgresChainStream`), or from `entries` for an unknown shape. */
  async *entryDigests(
    chainId: string,
    fromSeq: number,
    toSeq?: number,
  ): AsyncIterable<readonly DigestedAuditEntry[]> {
    if (this.#stream !== undefined) {
      yield* this.#stream.digests(chainId, fromSeq, toSeq);
      return;
    }
    let batch: DigestedAuditEntry[] = [];
    for await (const entry of this.entries(chainId, fromSeq, toSeq)) {
      const digested = digestAuditEntry(entry);
      if (digested !== undefined) batch.push(digested);
      if (batch.length === this.#batchSize) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0) yield batch;
  }

  async *checkpoints(chainId: string, fromSeq: number): AsyncIterable<StoredAuditCheckpoint> {
    let after: { seq: number; createdAt: string; id: string } | undefined;
    for (;;) {
      const start =
        after === undefined
          ? sql`c.chain_seq >= ${fromSeq}`
          : sql`(c.chain_seq, c.created_at, c.id) > (${after.seq}, ${after.createdAt}, ${after.id}::uuid)`;
      const { rows } = await sql<CheckpointRow>`
        select ${CHECKPOINT_SELECTION}
          from audit_checkpoints c
         where c.chain_id = ${chainId}::uuid and ${start}
         order by c.chain_seq, c.created_at, c.id
         limit ${this.#batchSize}`.execute(this.#db);
      for (const row of rows) yield toCheckpoint(row);
      if (rows.length < this.#batchSize) return;
      const last = toCheckpoint(rows[rows.length - 1]!);
      after = { seq: last.seq, createdAt: last.createdAt, id: last.id };
    }
  }

  async checkpointAtOrBefore(
    chainId: string,
    seq: number,
  ): Promise<StoredAuditCheckpoint | undefined> {
    const { rows } = await sql<CheckpointRow>`
      select ${CHECKPOINT_SELECTION}
        from audit_checkpoints c
       where c.chain_id = ${chainId}::uuid and c.chain_seq <= ${seq}
       order by c.chain_seq desc, c.created_at desc, c.id desc
       limit 1`.execute(this.#db);
    const row = rows[0];
    return row === undefined ? undefined : toCheckpoint(row);
  }

  async checkpointAtOrAfter(
    chainId: string,
    seq: number,
  ): Promise<StoredAuditCheckpoint | undefined> {
    const { rows } = await sql<CheckpointRow>`
      select ${CHECKPOINT_SELECTION}
        from audit_checkpoints c
       where c.chain_id = ${chainId}::uuid and c.chain_seq >= ${seq}
       order by c.chain_seq, c.created_at, c.id
       limit 1`.execute(this.#db);
    const row = rows[0];
    return row === undefined ? undefined : toCheckpoint(row);
  }

  async unchainedEntries(range: AuditTrailRange): Promise<number> {
    const { rows } = await sql<{ count: string | number }>`
      select count(*)::text as count from audit_log_entries
       where chain_id is null and ${inRange(sql.ref('occurred_at'), range, 'timestamptz')}`.execute(
      this.#db,
    );
    return Number(rows[0]?.count ?? 0);
  }

  async signingKeys(): Promise<readonly StoredSigningKey[]> {
    const rows = await this.#db
      .selectFrom('audit_signing_keys')
      .select(['key_id', 'public_key_pem'])
      .orderBy('first_used_at')
      .execute();
    return rows.map((row) => ({ keyId: row.key_id, publicKeyPem: row.public_key_pem }));
  }

  retentionRecords(chainId: string): Promise<readonly AuditRetentionRecord[]> {
    return retentionRecordsOf(this.#db, chainId);
  }
}

interface SegmentRow {
  readonly chain_id: string;
  readonly first_seq: string | null;
  readonly last_seq: string | null;
}

interface CheckpointRow {
  readonly id: string;
  readonly chain_id: string;
  readonly chain_seq: string;
  readonly entry_hash: string;
  readonly prev_checkpoint_id: string | null;
  readonly prev_checkpoint_hash: string | null;
  readonly key_id: string;
  readonly created_at: string;
  readonly instance: string;
  readonly reason: string;
  readonly final: boolean;
  readonly payload: string;
  readonly checkpoint_hash: string;
  readonly signature: string;
}

/**
 * The checkpoint columns, from `audit_checkpoints c`. Queries order and compare by the
 * qualified `c.chain_seq`: a bare `chain_seq` in ORDER BY would name the text output column.
 */
const CHECKPOINT_SELECTION = sql`c.id::text as id, c.chain_id::text as chain_id,
  c.chain_seq::text as chain_seq, c.entry_hash, c.prev_checkpoint_id::text as prev_checkpoint_id,
  c.prev_checkpoint_hash, c.key_id, c.created_at, c.instance, c.reason, c.final, c.payload,
  c.checkpoint_hash, c.signature`;

function toCheckpoint(row: CheckpointRow): StoredAuditCheckpoint {
  return {
    id: row.id,
    chainId: row.chain_id,
    seq: Number(row.chain_seq),
    entryHash: row.entry_hash,
    prevCheckpointId: row.prev_checkpoint_id,
    prevCheckpointHash: row.prev_checkpoint_hash,
    keyId: row.key_id,
    createdAt: row.created_at,
    instance: row.instance,
    reason: row.reason,
    final: row.final,
    payload: row.payload,
    checkpointHash: row.checkpoint_hash,
    signature: row.signature,
  };
}

/** `column` within the range; `text` columns hold canonical RFC 3339, which sorts as time. */
function inRange(
  column: ReturnType<typeof sql.ref>,
  range: AuditTrailRange,
  type: 'timestamptz' | 'text',
) {
  const bound = (value: string) =>
    type === 'timestamptz' ? sql`${value}::text::timestamptz` : sql`${value}::text`;
  const parts = [sql`true`];
  if (range.since !== undefined) parts.push(sql`${column} >= ${bound(range.since)}`);
  if (range.until !== undefined) parts.push(sql`${column} < ${bound(range.until)}`);
  return sql.join(parts, sql` and `);
}
