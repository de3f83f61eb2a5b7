/**
 * Checkpoints and signing keys in PostgreSQL or PGlite (`audit_checkpoints`,
 * `audit_signing_keys`, migration 007). The signed payload is stored as the text that was
 * signed, so it reads back byte for byte.
 */
import { type Kysely, type Selectable, sql } from 'kysely';
import type {
  AuditCheckpointRepository,
  UnsealedChainHead,
} from '../../src/audit-checkpoint-repository.js';
import type { AuditPublicKey } from '../../src/audit-signing-key.js';
import type { StoredAuditCheckpoint } from '../../src/audit-trail-reader.js';
import type { AuditCheckpointsTable, AuditLogDatabase } from './audit-log-database.js';

export class PostgresAuditCheckpointRepository implements AuditCheckpointRepository {
  readonly #db: Kysely<AuditLogDatabase>;

  constructor(db: Kysely<AuditLogDatabase>) {
    this.#db = db;
  }

  async registerSigningKey(key: AuditPublicKey, usedBy: string): Promise<void> {
    await this.#db
      .insertInto('audit_signing_keys')
      .values({
        key_id: key.keyId,
        algorithm: key.algorithm,
        public_key_pem: key.publicKeyPem,
        first_used_by: usedBy,
      })
      .onConflict((conflict) => conflict.column('key_id').doNothing())
      .execute();
  }

  async signingKeys(): Promise<AuditPublicKey[]> {
    const rows = await this.#db
      .selectFrom('audit_signing_keys')
      .select(['key_id', 'algorithm', 'public_key_pem'])
      .orderBy('first_used_at')
      .orderBy('key_id')
      .execute();
    return rows.map((row) => ({
      keyId: row.key_id,
      algorithm: row.algorithm,
      publicKeyPem: row.public_key_pem,
    }));
  }

  async append(checkpoint: StoredAuditCheckpoint): Promise<void> {
    await this.#db
      .insertInto('audit_checkpoints')
      .values({
        id: checkpoint.id,
        chain_id: checkpoint.chainId,
        chain_seq: checkpoint.seq,
        entry_hash: checkpoint.entryHash,
        prev_checkpoint_id: checkpoint.prevCheckpointId,
        prev_checkpoint_hash: checkpoint.prevCheckpointHash,
        key_id: checkpoint.keyId,
        created_at: checkpoint.createdAt,
        instance: checkpoint.instance,
        reason: checkpoint.reason,
        final: checkpoint.final,
        payload: checkpoint.payload,
        checkpoint_hash: checkpoint.checkpointHash,
        signature: checkpoint.signature,
      })
      .execute();
  }

  async checkpoints(chainId?: string): Promise<StoredAuditCheckpoint[]> {
    let query = this.#db.selectFrom('audit_checkpoints').selectAll();
    if (chainId !== undefined) query = query.where('chain_id', '=', chainId);
    const rows = await query
      .orderBy('chain_id')
      .orderBy('chain_seq')
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(toCheckpoint);
  }

  async latest(chainId: string): Promise<StoredAuditCheckpoint | undefined> {
    const row = await this.#db
      .selectFrom('audit_checkpoints')
      .selectAll()
      .where('chain_id', '=', chainId)
      .orderBy('chain_seq', 'desc')
      .orderBy('created_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row === undefined ? undefined : toCheckpoint(row);
  }

  /**
   * One walk of the chain index per chain: the chains are found by skipping from one chain id
   * to the next (a recursive query, each step one index probe), so the cost grows with the
   * number of chains, not of entries.
   */
  async unsealedChainHeads(except?: string): Promise<UnsealedChainHead[]> {
    const { rows } = await sql<{ chain_id: string; chain_seq: string; entry_hash: string }>`
      with recursive chains (chain_id) as (
        (select chain_id from audit_log_entries where chain_id is not null order by chain_id limit 1)
        union all
        (select (select e.chain_id from audit_log_entries e
                  where e.chain_id > chains.chain_id order by e.chain_id limit 1)
           from chains where chains.chain_id is not null)
      )
      select chains.chain_id::text as chain_id, head.chain_seq::text as chain_seq, head.entry_hash
        from chains
        cross join lateral (
          select chain_seq, entry_hash from audit_log_entries e
           where e.chain_id = chains.chain_id order by e.chain_seq desc limit 1) head
       where chains.chain_id is not null
         and not exists (
           select 1 from audit_checkpoints c
            where c.chain_id = chains.chain_id and c.chain_seq >= head.chain_seq)
    `.execute(this.#db);
    const heads: UnsealedChainHead[] = [];
    for (const row of rows) {
      if (row.chain_id === except) continue;
      heads.push({
        chainId: row.chain_id,
        seq: Number(row.chain_seq),
        entryHash: row.entry_hash,
        lastCheckpoint: await this.latest(row.chain_id),
      });
    }
    return heads;
  }
}

function toCheckpoint(row: Selectable<AuditCheckpointsTable>): StoredAuditCheckpoint {
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
