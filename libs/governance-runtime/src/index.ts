export type {
  AuditDecision,
  AuditLogEntry,
  AuditReason,
  ReasonSeverity,
} from './audit-log-entry.js';
export { AUDIT_DECISIONS } from './audit-log-entry.js';
export type { AuditLogEntryRepository } from './audit-log-entry-repository.js';
export type { AuditLogPage, AuditLogQuery } from './audit-log-query.js';
