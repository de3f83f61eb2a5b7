export type { AccessLogRecordsTable } from './access-log-database.js';
export type { AuditLogDatabase, AuditLogEntriesTable } from './audit-log-database.js';
export {
  AUDIT_LOG_LATEST_MIGRATION,
  AUDIT_LOG_MIGRATION_NAMES,
  auditLogMigrationProvider,
  auditLogMigrations,
} from './audit-log-migrations.js';
export {
  ensureAuditPartitions,
  listPartitions,
  type PartitionMaintenanceResult,
  partitionedTables,
  type StoredPartition,
} from './audit-partition-maintenance.js';
export {
  accessLogRetentionRecords,
  applyAuditRetention,
  type ExpiredPartition,
  type RetentionOptions,
  type RetentionOutcome,
  retentionRecordsOf,
} from './audit-retention.js';
export {
  AUDIT_STATS_PENDING,
  AUDIT_STATS_TABLES,
  rebuildAuditStats,
  rollUpPendingAuditStats,
} from './audit-stats-rollup.js';
export { API_KEY_CHANGES_CHANNEL } from './migrations/009-notify-api-key-changes.js';
export { AUDIT_ENTRY_COMMITS_CHANNEL } from './migrations/020-notify-audit-entry-commits.js';
export {
  openPgliteAuditLogDatabase,
  openThreadedPgliteAuditLogDatabase,
  type PgliteAuditLogDatabase,
  type ThreadedPgliteAuditLogDatabase,
} from './open-pglite-audit-log-database.js';
export {
  openPostgresAuditLogDatabase,
  POSTGRES_CLIENT_TIMEOUT_MARGIN_MS,
  type PostgresAuditLogDatabaseOptions,
} from './open-postgres-audit-log-database.js';
export {
  DEFAULT_INTERVALS_AHEAD,
  PARTITION_INTERVALS,
  type PartitionInterval,
} from './partition-interval.js';
export { PgliteThread, PgliteThreadError } from './pglite-thread.js';
export {
  PostgresAccessLogRepository,
  type PostgresAccessLogRepositoryOptions,
} from './postgres-access-log-repository.js';
export { PostgresAuditCheckpointRepository } from './postgres-audit-checkpoint-repository.js';
export {
  PostgresAuditLogEntryRepository,
  type PostgresAuditLogEntryRepositoryOptions,
} from './postgres-audit-log-entry-repository.js';
export { PostgresAuditStatsReader } from './postgres-audit-stats-reader.js';
export {
  PostgresAuditTrailReader,
  type PostgresAuditTrailReaderOptions,
} from './postgres-audit-trail-reader.js';
export { type HeldChainLock, PostgresChainLocks } from './postgres-chain-locks.js';
export { type PreparedMigrations, prepareOnlineMigrations } from './prepare-online-migrations.js';
export { PREPARED, PreparedStatementClient } from './prepared-statement-client.js';
