/**
 * The durable audit store: the audit repository over an open database (PostgreSQL server
 * or embedded), with a health probe that also reports where the schema stands.
 */
import {
  PostgresAccessLogRepository,
  PostgresAuditLogEntryRepository,
  PostgresAuditStatsReader,
  PostgresAuditTrailReader,
} from '@policy-gateway/governance-runtime/postgres';
import { PostgresApiKeyRepository } from '../auth/postgres/postgres-api-key-repository.js';
import type { Database } from '../db/database.js';
import { type RunningAuditMaintenance, startAuditMaintenance } from './audit-maintenance.js';
import type { AuditStore, StoreHealth } from './audit-store.js';

export function createDatabaseStore(database: Database): AuditStore {
  // The connection manager owns the database; the repository must not destroy it.
  const repository = new PostgresAuditLogEntryRepository(database.db, { durable: true });
  let maintenance: RunningAuditMaintenance | undefined;
  return {
    backend: database.backend,
    durable: true,
    repository,
    accessLog: new PostgresAccessLogRepository(database.db, { durable: true }),
    stats: new PostgresAuditStatsReader(database.db),
    apiKeys: PostgresApiKeyRepository.over(database.db),
    // Small batches: a verification in the gateway hashes one batch between two reads, and
    // the event loop serves requests in between.
    trail: new PostgresAuditTrailReader(database.db, { batchSize: 500 }),
    db: database.db,
    warnings: [],
    async check(): Promise<StoreHealth> {
      try {
        const status = await database.migrationStatus();
        return { reachable: true, schema: status.state };
      } catch (error) {
        return {
          reachable: false,
          schema: 'unknown',
          problem: error instanceof Error ? error.message : String(error),
        };
      }
    },
    maintenance: {
      start(options) {
        maintenance ??= startAuditMaintenance(database.db, options);
      },
    },
    close: async () => {
      await maintenance?.stop();
      await repository.close();
      await database.close();
    },
  };
}
