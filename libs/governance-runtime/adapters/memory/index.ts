export {
  MemoryAccessLogRepository,
  type MemoryAccessLogRepositoryOptions,
} from './memory-access-log-repository.js';
export { MemoryAuditCheckpointRepository } from './memory-audit-checkpoint-repository.js';
export {
  MemoryAuditLogEntryRepository,
  type MemoryAuditLogEntryRepositoryOptions,
} from './memory-audit-log-entry-repository.js';
export { MemoryAuditStatsReader } from './memory-audit-stats-reader.js';
export {
  MEMORY_BOUND_PARTITION,
  MemoryAuditTrailReader,
  type MemoryAuditTrailReaderOptions,
  memoryCutRecord,
} from './memory-audit-trail-reader.js';
export { type MemoryChainCut, MemoryChainIndex } from './memory-chain-index.js';
