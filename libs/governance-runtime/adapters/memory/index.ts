export {
  MemoryAuditLogEntryRepository,
  type MemoryAuditLogEntryRepositoryOptions,
} from './memory-audit-log-entry-repository.js';
