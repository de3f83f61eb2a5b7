/**
 * What the service needs from wherever the audit trail lives: the repository, whether it is
 * durable, and a probe of its health for `/ready`. Opened at start-up, closed at shutdown.
 */
import type {
  AccessLogRepository,
  AuditLogEntryRepository,
  AuditStatsReader,
  AuditTrailReader,
} from '@policy-gateway/governance-runtime';
import type { AuditLogDatabase } from '@policy-gateway/governance-runtime/postgres';
import type { Kysely } from 'kysely';
import type { AuditCommitNotices } from '../audit/audit-commit-feed.js';
import type { ApiKeyRepository } from '../auth/api-key-repository.js';
import type { AuditStoreBackend } from '../config/settings.js';
import type { ReadReplicaHealth } from '../db/read-replica.js';
import type { SchemaState } from '../db/schema-state.js';
import type { AuditPrivacy } from '../privacy/audit-privacy.js';
import type { AuditMaintenanceOptions } from './audit-maintenance.js';
import type { AuditWriteQueue, TamperEvidenceStatus } from './tamper-evidence.js';

export interface StoreHealth {
  readonly reachable: boolean;
  readonly schema: SchemaState;
  /** Why it is unreachable, for the log. */
  readonly problem?: string;
  /** Entries dropped so far to stay within a bound (the memory store only). */
  readonly droppedEntries?: number;
}

export interface AuditStore {
  readonly backend: AuditStoreBackend;
  readonly durable: boolean;
  readonly repository: AuditLogEntryRepository;
  /** Every read of the trail, kept beside it and as durably (fail-closed reads). */
  readonly accessLog: AccessLogRepository;
  /** The gateway's API keys, kept in the same database (in memory with the memory store). */
  readonly apiKeys: ApiKeyRepository;
  /**
   * The chains and signed checkpoints as the verifier reads them (integrity, proofs); absent
   * where nothing chains the entries (a memory store opened without tamper evidence, as the
   * commands open one).
   */
  readonly trail?: AuditTrailReader;
  /**
   * The trail's stats for the overview (issue 17): the roll-ups of a database, the kept
   * entries of the memory store. When absent, the routes count through the repository's pages.
   */
  readonly stats?: AuditStatsReader;
  /**
   * The open database, for what keeps its own tables beside the trail (subject erasures);
   * absent on the memory store.
   */
  readonly db?: Kysely<AuditLogDatabase>;
  /** Reading sealed originals and erasing subjects (issue 13), when originals are sealed. */
  readonly privacy?: AuditPrivacy;
  /** The hash chain this process writes and its signing key (`serve` only; issue 11). */
  readonly tamperEvidence?: TamperEvidenceStatus;
  /**
   * The write path's queue of entries waiting for a batch (group commit; metrics read its
   * depth); absent where entries are written one by one (no hash chain).
   */
  readonly writeQueue?: AuditWriteQueue;
  /**
   * Partitions made ahead and retention on a schedule (database stores; `serve` starts it,
   * `close` stops it).
   */
  readonly maintenance?: { start(options: AuditMaintenanceOptions): void };
  /**
   * The streaming replica serving the audit reads (`POLICY_GATEWAY_READ_DATABASE_URL`), for
   * `/ready`; absent without one. The repository's reads already go through it.
   */
  readonly readReplica?: { readonly location: string; check(): Promise<ReadReplicaHealth> };
  /**
   * Notices of entries committed by other processes sharing the trail (PostgreSQL's NOTIFY of
   * migration 020), for the live tails; absent where no other process writes it (memory,
   * embedded), the write path of this one telling them itself.
   */
  readonly commits?: AuditCommitNotices;
  /** Standing caveats an operator must know about (shown in the start-up log and `/ready`). */
  readonly warnings: readonly string[];
  /** Probes reachability and the schema; never rejects. */
  check(): Promise<StoreHealth>;
  close(): Promise<void>;
}

/** Ready to serve: reachable and the schema has everything this build needs. */
export function isServable(health: StoreHealth): boolean {
  return health.reachable && (health.schema === 'current' || health.schema === 'ahead');
}
