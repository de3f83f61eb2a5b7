/**
 * The one registry of the audit schema's migrations, for Kysely's `Migrator`. The library's
 * tests and the service's `policy-gateway migrate` both run this list; everything else about
 * it (the order, the newest name) is derived from it. Keys are the migration names recorded
 * in the database, so they must never change once released.
 *
 * @example
 * const migrator = new Migrator({ db, provider: auditLogMigrationProvider });
 * const { error, results } = await migrator.migrateToLatest();
 */
import type { Migration, MigrationProvider } from 'kysely/migration';
import * as createAuditLogEntries from './migrations/001-create-audit-log-entries.js';
import * as addClientRequestId from './migrations/002-add-client-request-id.js';
import * as addIdempotencyKey from './migrations/003-add-idempotency-key.js';
import * as addPrincipal from './migrations/004-add-principal.js';
import * as createApiKeys from './migrations/005-create-api-keys.js';
import * as createAccessLogRecords from './migrations/006-create-access-log-records.js';
import * as addHashChain from './migrations/007-add-hash-chain.js';
import * as makeAuditTablesAppendOnly from './migrations/008-make-audit-tables-append-only.js';
import * as notifyApiKeyChanges from './migrations/009-notify-api-key-changes.js';
import * as partitionAuditLogEntries from './migrations/010-partition-audit-log-entries.js';
import * as addEntryPrivacy from './migrations/012-add-entry-privacy.js';
import * as createSubjectErasures from './migrations/013-create-subject-erasures.js';
import * as allowPrivacyOfficerKeys from './migrations/014-allow-privacy-officer-keys.js';
import * as indexAuditFilters from './migrations/015-index-audit-filters.js';
import * as addShadowRollout from './migrations/016-add-shadow-rollout.js';
import * as partitionAccessLogRecords from './migrations/018-partition-access-log-records.js';
import * as createAuditStatsRollups from './migrations/019-create-audit-stats-rollups.js';
import * as notifyAuditEntryCommits from './migrations/020-notify-audit-entry-commits.js';
import * as createReplays from './migrations/021-create-replays.js';
import * as shardAuditStatsRollups from './migrations/022-shard-audit-stats-rollups.js';
import * as notifyAuditCommitsAfterCommit from './migrations/023-notify-audit-commits-after-commit.js';
import * as deferAuditStatsRollups from './migrations/024-defer-audit-stats-rollups.js';

export const auditLogMigrations: Readonly<Record<string, Migration>> = Object.freeze({
  '001_create_audit_log_entries': createAuditLogEntries,
  '002_add_client_request_id': addClientRequestId,
  '003_add_idempotency_key': addIdempotencyKey,
  '004_add_principal': addPrincipal,
  '005_create_api_keys': createApiKeys,
  '006_create_access_log_records': createAccessLogRecords,
  '007_add_hash_chain': addHashChain,
  '008_make_audit_tables_append_only': makeAuditTablesAppendOnly,
  '009_notify_api_key_changes': notifyApiKeyChanges,
  '010_partition_audit_log_entries': partitionAuditLogEntries,
  '012_add_entry_privacy': addEntryPrivacy,
  '013_create_subject_erasures': createSubjectErasures,
  '014_allow_privacy_officer_keys': allowPrivacyOfficerKeys,
  '015_index_audit_filters': indexAuditFilters,
  '016_add_shadow_rollout': addShadowRollout,
  '018_partition_access_log_records': partitionAccessLogRecords,
  '019_create_audit_stats_rollups': createAuditStatsRollups,
  '020_notify_audit_entry_commits': notifyAuditEntryCommits,
  '021_create_replays': createReplays,
  '022_shard_audit_stats_rollups': shardAuditStatsRollups,
  '023_notify_audit_commits_after_commit': notifyAuditCommitsAfterCommit,
  '024_defer_audit_stats_rollups': deferAuditStatsRollups,
});

/** The names in the order the `Migrator` applies them (it compares names with `localeCompare`). */
export const AUDIT_LOG_MIGRATION_NAMES: readonly string[] = Object.freeze(
  Object.keys(auditLogMigrations).sort((a, b) => a.localeCompare(b)),
);

function last(names: readonly string[]): string {
  const name = names[names.length - 1];
  if (name === undefined) throw new Error('the audit log has no migrations');
  return name;
}

/** The name of the newest migration this build knows. */
export const AUDIT_LOG_LATEST_MIGRATION: string = last(AUDIT_LOG_MIGRATION_NAMES);

export const auditLogMigrationProvider: MigrationProvider = {
  async getMigrations() {
    return { ...auditLogMigrations };
  },
};
