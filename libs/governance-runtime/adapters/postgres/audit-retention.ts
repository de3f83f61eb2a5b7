/**
 * Retention: removes whole partitions whose time is entirely past the horizon (now minus the
 * retention period), never rows. For each chain with entries in an expired partition of
 * `audit_log_entries`, a signed retention record (chain, last removed seq and its entry hash,
 * partition, when, by whom) is committed first, so that the verifier accepts the chain's new
 * start and still reports a prefix removed any other way. Then the partition is dropped: a
 * catalog change, but one that takes an ACCESS EXCLUSIVE lock on the parent for a moment
 * (DETACH … CONCURRENTLY is not allowed beside a default partition), so it waits at most
 * `lockTimeoutMs` for running statements and otherwise fails for a later run to retry.
 *
 * The row triggers (migration 008) still refuse every UPDATE and DELETE; DROP TABLE needs
 * the tables' owner, which is why retention runs as the role that migrates, not necessarily
 * the gateway's (see the README).
 *
 * @example
 * const plan = await applyAuditRetention(db, { retentionDays: 365, key, removedBy: 'cli', dryRun: true });
 */
import { type Kysely, sql } from 'kysely';
import {
  type AuditRetentionRecord,
  newAuditRetentionRecord,
} from '../../src/audit-retention-record.js';
import type { AuditSigningKey } from '../../src/audit-signing-key.js';
import {
  listPartitions,
  partitionedTables,
  type StoredPartition,
} from './audit-partition-maintenance.js';
import { AUDIT_LOG_ENTRIES_PARTITIONING } from './partitioned-audit-tables.js';

export interface RetentionOptions {
  readonly retentionDays: number;
  /** Signs the retention records; needed unless `dryRun`. */
  readonly key?: AuditSigningKey;
  /** Who removes (recorded): an instance name, or `cli:<user>`. */
  readonly removedBy: string;
  readonly dryRun?: boolean;
  /** Default: now. */
  readonly now?: Date;
  /** How long a DROP waits for its lock. Default 5,000 ms. */
  readonly lockTimeoutMs?: number;
}

export interface ExpiredPartition extends StoredPartition {
  /** Chains whose start goes with it: their last removed seq and its hash (entries only). */
  readonly chains: readonly {
    readonly chainId: string;
    readonly lastRemovedSeq: number;
    readonly lastRemovedEntryHash: string;
  }[];
  /** Estimated rows (the planner's count; exact counting would read the partition). */
  readonly estimatedRows: number;
  readonly status: 'would drop' | 'dropped' | 'failed';
  readonly error?: unknown;
}

export interface RetentionOutcome {
  /** The first instant kept: every partition wholly before it is expired. */
  readonly horizon: string;
  readonly partitions: readonly ExpiredPartition[];
}

export async function applyAuditRetention<DB>(
  db: Kysely<DB>,
  options: RetentionOptions,
): Promise<RetentionOutcome> {
  if (!Number.isInteger(options.retentionDays) || options.retentionDays < 1) {
    throw new RangeError(`retentionDays must be a positive integer, got ${options.retentionDays}`);
  }
  const now = options.now ?? new Date();
  const horizon = new Date(now.getTime() - options.retentionDays * 86_400_000).toISOString();
  const outcome: ExpiredPartition[] = [];
  for (const table of await partitionedTables(db)) {
    const expired = (await listPartitions(db, table)).filter(
      (p) => !p.isDefault && p.to !== null && Date.parse(p.to) <= Date.parse(horizon),
    );
    for (const partition of expired) {
      const chains =
        table.name === AUDIT_LOG_ENTRIES_PARTITIONING.name
          ? await chainEnds(db, partition.name)
          : [];
      const estimatedRows = await estimatedRowsOf(db, partition.name);
      if (options.dryRun === true) {
        outcome.push({ ...partition, chains, estimatedRows, status: 'would drop' });
        continue;
      }
      try {
        if (chains.length > 0) {
          if (options.key === undefined) throw new Error('retention needs the audit signing key');
          await recordRemoval(db, partition, chains, options.key, options.removedBy);
        }
        await db.connection().execute(async (connection) => {
          await sql`set lock_timeout = ${sql.lit(`${options.lockTimeoutMs ?? 5000}ms`)}`.execute(
            connection,
          );
          try {
            await sql`drop table ${sql.id(partition.name)}`.execute(connection);
          } finally {
            await sql`reset lock_timeout`.execute(connection);
          }
        });
        outcome.push({ ...partition, chains, estimatedRows, status: 'dropped' });
      } catch (error) {
        outcome.push({ ...partition, chains, estimatedRows, status: 'failed', error });
      }
    }
  }
  return { horizon, partitions: outcome };
}

/** Each chain's last seq in `partition` and that entry's hash, through its chain seq index. */
async function chainEnds<DB>(db: Kysely<DB>, partition: string) {
  const { rows } = await sql<{ chain_id: string; seq: string; entry_hash: string }>`
    select distinct on (chain_id) chain_id::text, chain_seq::text as seq, entry_hash
      from ${sql.id(partition)}
     where chain_id is not null
     order by chain_id, chain_seq desc`.execute(db);
  return rows.map((row) => ({
    chainId: row.chain_id,
    lastRemovedSeq: Number(row.seq),
    lastRemovedEntryHash: row.entry_hash,
  }));
}

async function estimatedRowsOf<DB>(db: Kysely<DB>, partition: string): Promise<number> {
  const { rows } = await sql<{ n: string }>`
    select greatest(reltuples, 0)::bigint::text as n from pg_class
     where oid = to_regclass(${partition})`.execute(db);
  return Number(rows[0]?.n ?? 0);
}

/** The signed records of one partition's chains, and the signing key, in one transaction. */
async function recordRemoval<DB>(
  db: Kysely<DB>,
  partition: StoredPartition,
  chains: ExpiredPartition['chains'],
  key: AuditSigningKey,
  removedBy: string,
): Promise<AuditRetentionRecord[]> {
  const records = chains.map((chain) =>
    newAuditRetentionRecord({
      ...chain,
      partition: partition.name,
      partitionTo: partition.to!,
      removedBy,
      key,
    }),
  );
  await db.transaction().execute(async (trx) => {
    await sql`insert into audit_signing_keys (key_id, algorithm, public_key_pem, first_used_by)
      values (${key.keyId}, 'Ed25519', ${key.publicKeyPem}, ${removedBy})
      on conflict (key_id) do nothing`.execute(trx);
    for (const r of records) {
      // A run that failed after recording (the DROP timed out) records again: the later
      // record says the same, and the verifier takes the highest seq a valid record names.
      await sql`insert into audit_retention_records (id, chain_id, last_removed_seq,
          last_removed_entry_hash, partition, partition_to, removed_at, removed_by, key_id,
          payload, record_hash, signature)
        values (${r.id}::uuid, ${r.chainId}::uuid, ${r.lastRemovedSeq}, ${r.lastRemovedEntryHash},
          ${r.partition}, ${r.partitionTo}, ${r.removedAt}, ${r.removedBy}, ${r.keyId},
          ${r.payload}, ${r.recordHash}, ${r.signature})`.execute(trx);
    }
  });
  return records;
}

/** The retention records of `chainId`, highest removed seq first (for the verifier). */
export async function retentionRecordsOf<DB>(
  db: Kysely<DB>,
  chainId: string,
): Promise<AuditRetentionRecord[]> {
  const { rows } = await sql<Record<string, string>>`
    select id::text, chain_id::text, last_removed_seq::text, last_removed_entry_hash, partition,
           partition_to, removed_at, removed_by, key_id, payload, record_hash, signature
      from audit_retention_records where chain_id = ${chainId}::uuid
     order by last_removed_seq desc, removed_at desc`.execute(db);
  return rows.map((row) => ({
    id: row.id!,
    chainId: row.chain_id!,
    lastRemovedSeq: Number(row.last_removed_seq),
    lastRemovedEntryHash: row.last_removed_entry_hash!,
    partition: row.partition!,
    partitionTo: row.partition_to!,
    removedAt: row.removed_at!,
    removedBy: row.removed_by!,
    keyId: row.key_id!,
    payload: row.payload!,
    recordHash: row.record_hash!,
    signature: row.signature!,
  }));
}
