/**
 * Migration 001: creates `audit_log_entries` and the indexes its queries need (time; user and
 * time; decision and time; policy and time; decision id). The schema is owned by the audit
 * library, so this file re-exports its migration rather than restating it.
 */
import { auditLogMigrations } from '@policy-gateway/governance-runtime/postgres';
import type { Migration } from 'kysely/migration';

const migration: Migration | undefined = auditLogMigrations['001_create_audit_log_entries'];
if (migration === undefined) {
  throw new Error('the audit library no longer provides migration 001_create_audit_log_entries');
}

export const up: Migration['up'] = (db) => migration.up(db);
export const down: NonNullable<Migration['down']> = (db) => {
  if (migration.down === undefined) throw new Error('migration 001 has no down step');
  return migration.down(db);
};
