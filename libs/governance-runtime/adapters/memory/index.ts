export {
  MemoryAccessLogRepository,
  type MemoryAccessLogRepositoryOptions,
} from './memory-access-log-repository.js';
export { MemoryAuditCheckpointRepository } from './memory-audit-checkpoint-repository.js';
export {
  MemoryAuditLogEntryRepository,
  type MemoryAuditLogEntryRepositoryOptions,
} from './memory-audit-log-entry-repository.js';
