/**
 * A repository double whose writes (and optionally reads) reject, as a PostgreSQL server that
 * went away mid-request would. Faking it is the only way to hit the fail-closed path
 * deterministically in a route test; the child-process tests use real databases.
 */
import type {
  AppendManyResult,
  AuditLogEntry,
  AuditLogEntryRepository,
  AuditLogPage,
  AuditLogQuery,
} from '@policy-gateway/governance-runtime';
import { MemoryAccessLogRepository } from '@policy-gateway/governance-runtime/memory';
import { MemoryApiKeyRepository } from '../../src/auth/memory/memory-api-key-repository.js';
import type { AuditStore } from '../../src/store/audit-store.js';

export class FailingRepository implements AuditLogEntryRepository {
  readonly durable = true;
  appendAttempts = 0;

  constructor(private readonly failReads = false) {}

  async append(_entry: AuditLogEntry): Promise<void> {
    this.appendAttempts += 1;
    throw unreachable();
  }

  async appendMany(entries: readonly AuditLogEntry[]): Promise<AppendManyResult> {
    this.appendAttempts += 1;
    const error = unreachable();
    return { results: entries.map(({ id }) => ({ id, status: 'failed', error })), error };
  }

  async findById(_id: string): Promise<AuditLogEntry | undefined> {
    if (this.failReads) throw new Error('Connection terminated unexpectedly');
    return undefined;
  }

  async findByIdempotencyKey(_userId: string, _key: string): Promise<AuditLogEntry | undefined> {
    if (this.failReads) throw new Error('Connection terminated unexpectedly');
    return undefined;
  }

  async query(_query: AuditLogQuery): Promise<AuditLogPage> {
    if (this.failReads) throw new Error('Connection terminated unexpectedly');
    return { entries: [], nextCursor: null };
  }

  async close(): Promise<void> {}
}

function unreachable(): Error {
  return new Error('connect ECONNREFUSED 127.0.0.1:5432');
}

export function failingStore(repository: FailingRepository): AuditStore {
  return {
    backend: 'postgres',
    durable: true,
    repository,
    accessLog: new MemoryAccessLogRepository(),
    apiKeys: new MemoryApiKeyRepository(),
    warnings: [],
    check: async () => ({ reachable: false, schema: 'unknown', problem: 'ECONNREFUSED' }),
    close: async () => {},
  };
}
