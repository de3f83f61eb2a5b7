/**
 * The legacy in-memory audit store: bounded (the oldest entries are dropped first, and
 * counted) and lost on restart. Kept for development and demos, and said so wherever an
 * operator looks.
 */
import {
  MemoryAccessLogRepository,
  MemoryAuditLogEntryRepository,
  MemoryAuditStatsReader,
} from '@policy-gateway/governance-runtime/memory';
import { MemoryApiKeyRepository } from '../auth/memory/memory-api-key-repository.js';
import type { AuditStore } from './audit-store.js';

export function memoryStoreWarning(maxEntries: number): string {
  return `audit entries, and the access log of who read them, are kept in memory only (at most ${maxEntries} of each, oldest dropped first) and are lost on restart; set POLICY_GATEWAY_AUDIT_STORE_BACKEND=postgres or embedded for a durable audit trail`;
}

export interface MemoryAuditStore extends AuditStore {
  readonly repository: MemoryAuditLogEntryRepository;
}

export function createMemoryStore(maxEntries: number): MemoryAuditStore {
  const repository = new MemoryAuditLogEntryRepository({ maxEntries });
  // Bounded like the entries: at most as many records, the oldest dropped first.
  const accessLog = new MemoryAccessLogRepository({ maxRecords: maxEntries });
  return {
    backend: 'memory',
    durable: false,
    repository,
    accessLog,
    stats: new MemoryAuditStatsReader(repository),
    apiKeys: new MemoryApiKeyRepository(),
    warnings: [memoryStoreWarning(maxEntries)],
    check: async () => ({
      reachable: true,
      schema: 'current',
      droppedEntries: repository.droppedCount,
    }),
    close: async () => {
      await repository.close();
      await accessLog.close();
    },
  };
}
