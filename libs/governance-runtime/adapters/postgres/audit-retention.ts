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
 * The access log (migration 018) has its own period, the audit entries' by default. It has no
 * chain to carry a removal, so each expired partition of it goes in one transaction with a
 * signed record of what went (`access_log_retention_records`: the partition, its time, its
 * exact row count, when, by whom): a failed DROP leaves no record, and no month of reads goes
 * without one. Its records are written with the time of the read, so an expired month gets
 * no new ones while it is counted.
 *
 * The row triggers (migrations 008, 018) still refuse every UPDATE and DELETE; DROP TABLE needs
 * the tables' owner, which is why retention runs as the role that migrates, not necessarily
 * the gateway's (see the README).
 *
 * @example
 * const plan = await applyAuditRetention(db, { retentionDays: 365, key, removedBy: 'cli', dryRun: true });
 */
import { type Kysely, sql } from 'kysely';
import {
  type AccessLogRetentionRecord,
  newAccessLogRetentionRecord,
} from '../../src/access-log-retention-record.js';
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
import { rebuildAuditStats } from './audit-stats-rollup.js';
import { ACCESS_LOG_RETENTION_TABLE } from './migrations/018-partition-access-log-records.js';
import {
  ACCESS_LOG_RECORDS_PARTITIONING,
  AUDIT_LOG_ENTRIES_PARTITIONING,
  type PartitionedAuditTable,
} from './partitioned-audit-tables.js';

export interface RetentionOptions {
  /** Days the audit entries are kept; undefined keeps them all. */
  readonly retentionDays?: number;
  /** Days the access log is kept. Default: `retentionDays`. */
  readonly accessLogRetentionDays?: number;
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
  /**
   * By table name, the first instant kept: every partition wholly before it is expired. A
   * table kept whole (no retention period) has none.
   */
  readonly horizons: Readonly<Record<string, string>>;
  readonly partitions: readonly ExpiredPartition[];
}

export async function applyAuditRetention<DB>(
  db: Kysely<DB>,
  options: RetentionOptions,
): Promise<RetentionOutcome> {
  const days: Record<string, number | undefined> = {
    [AUDIT_LOG_ENTRIES_PARTITIONING.name]: options.retentionDays,
    [ACCESS_LOG_RECORDS_PARTITIONING.name]: options.accessLogRetentionDays ?? options.retentionDays,
  };
  for (const [option, value] of [
    ['retentionDays', options.retentionDays],
    ['accessLogRetentionDays', options.accessLogRetentionDays],
  ] as const) {
    if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
      throw new RangeError(`${option} must be a positive integer, got ${value}`);
    }
  }
  const now = options.now ?? new Date();
  const horizons: Record<string, string> = {};
  const outcome: ExpiredPartition[] = [];
  for (const table of await partitionedTables(db)) {
    const kept = days[table.name];
    if (kept === undefined) continue;
    const horizon = new Date(now.getTime() - kept * 86_400_000).toISOString();
    horizons[table.name] = horizon;
    const expired = (await listPartitions(db, table)).filter(
      (p) => !p.isDefault && p.to !== null && Date.parse(p.to) <= Date.parse(horizon),
    );
    for (const partition of expired) {
      outcome.push(await expire(db, table, partition, options));
    }
  }
  return { horizons, partitions: outcome };
}

async function expire<DB>(
  db: Kysely<DB>,
  table: PartitionedAuditTable,
  partition: StoredPartition,
  options: RetentionOptions,
): Promise<ExpiredPartition> {
  const isAccessLog = table.name === ACCESS_LOG_RECORDS_PARTITIONING.name;
  const chains = isAccessLog ? [] : await chainEnds(db, partition.name);
  const estimatedRows = await estimatedRowsOf(db, partition.name);
  if (options.dryRun === true) return { ...partition, chains, estimatedRows, status: 'would drop' };
  try {
    if (isAccessLog) {
      await dropRecordingRemoval(db, partition, signingKey(options), options);
    } else {
      if (chains.length > 0) {
        await recordRemoval(db, partition, chains, signingKey(options), options.removedBy);
      }
      // The stats roll-ups of the partition's hours go in the same transaction (issue 17):
      // they count exactly the entries kept, dropped or not.
      await db.transaction().execute(async (trx) => {
        await sql`set local lock_timeout = ${sql.lit(`${options.lockTimeoutMs ?? 5000}ms`)}`.execute(
          trx,
        );
        await sql`drop table ${sql.id(partition.name)}`.execute(trx);
        await rebuildAuditStats(trx, { from: partition.from, to: partition.to });
      });
    }
    return { ...partition, chains, estimatedRows, status: 'dropped' };
  } catch (error) {
    return { ...partition, chains, estimatedRows, status: 'failed', error };
  }
}

function signingKey(options: RetentionOptions): AuditSigningKey {
  if (options.key === undefined) throw new Error('retention needs the audit signing key');
  return options.key;
}

/**
 * An access log partition dropped in the same transaction as the signed record of what it
 * held, so that the record exists exactly when the partition is gone.
 */
async function dropRecordingRemoval<DB>(
  db: Kysely<DB>,
  partition: StoredPartition,
  key: AuditSigningKey,
  options: RetentionOptions,
): Promise<AccessLogRetentionRecord> {
  return db.transaction().execute(async (trx) => {
    await sql`set local lock_timeout = ${sql.lit(`${options.lockTimeoutMs ?? 5000}ms`)}`.execute(
      trx,
    );
    const { rows } = await sql<{ n: string }>`
      select count(*)::text as n from ${sql.id(partition.name)}`.execute(trx);
    const record = newAccessLogRetentionRecord({
      partition: partition.name,
      partitionFrom: partition.from,
      partitionTo: partition.to!,
      removedRows: Number(rows[0]?.n ?? 0),
      removedBy: options.removedBy,
      key,
    });
    await sql`insert into audit_signing_keys (key_id, algorithm, public_key_pem, first_used_by)
      values (${key.keyId}, 'Ed25519', ${key.publicKeyPem}, ${options.removedBy})
      on conflict (key_id) do nothing`.execute(trx);
    await sql`insert into ${sql.id(ACCESS_LOG_RETENTION_TABLE)} (id, partition, partition_from,
        partition_to, removed_rows, removed_at, removed_by, key_id, payload, record_hash,
        signature)
      values (${record.id}::uuid, ${record.partition}, ${record.partitionFrom},
        ${record.partitionTo}, ${record.removedRows}, ${record.removedAt}, ${record.removedBy},
        ${record.keyId}, ${record.payload}, ${record.recordHash}, ${record.signature})`.execute(
      trx,
    );
    await sql`drop table ${sql.id(partition.name)}`.execute(trx);
    return record;
  });
}

/** What retention removed of the access log, oldest removal first. */
export async function accessLogRetentionRecords<DB>(
  db: Kysely<DB>,
): Promise<AccessLogRetentionRecord[]> {
  const { rows } = await sql<Record<string, string | null>>`
    select id::text, partition, partition_from, partition_to, removed_rows::text, removed_at,
           removed_by, key_id, payload, record_hash, signature
      from ${sql.id(ACCESS_LOG_RETENTION_TABLE)}
     order by removed_at, id`.execute(db);
  return rows.map((row) => ({
    id: row.id!,
    partition: row.partition!,
    partitionFrom: row.partition_from ?? null,
    partitionTo: row.partition_to!,
    removedRows: Number(row.removed_rows),
    removedAt: row.removed_at!,
    removedBy: row.removed_by!,
    keyId: row.key_id!,
    payload: row.payload!,
    recordHash: row.record_hash!,
    signature: row.signature!,
  }));
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
