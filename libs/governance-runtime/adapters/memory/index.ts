export {
  MemoryAccessLogRepository,
  type MemoryAccessLogRepositoryOptions,
} from './memory-access-log-repository.js';
export {
  MemoryAuditLogEntryRepository,
  type MemoryAuditLogEntryRepositoryOptions,
} from './memory-audit-log-entry-repository.js';
