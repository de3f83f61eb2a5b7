/**
 * The migrations this build ships, in order, keyed by the name recorded in the database.
 * Names never change once released; new migrations are additive (see 001's header) so that
 * replicas of the previous build keep serving during a rollout.
 */
import type { Migration } from 'kysely/migration';
import * as createAuditLogEntries from './001_create_audit_log_entries.js';

export const MIGRATIONS: Readonly<Record<string, Migration>> = Object.freeze({
  '001_create_audit_log_entries': createAuditLogEntries,
});

export const MIGRATION_NAMES: readonly string[] = Object.keys(MIGRATIONS).sort();
