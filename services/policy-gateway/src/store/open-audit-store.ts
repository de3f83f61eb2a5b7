/**
 * Opens the audit store the settings ask for and checks it can serve this build: a database
 * whose schema is behind the build's latest migration is refused (the operator runs
 * `policy-gateway migrate`); one that is ahead (a newer build migrated it) is served.
 */
import type { Logger } from 'pino';
import type { StoreSettings } from '../config/settings.js';
import { openDatabase } from '../db/database.js';
import type { AuditStore } from './audit-store.js';
import { createDatabaseStore } from './database-store.js';
import { createMemoryStore } from './memory-store.js';

/** The schema lacks migrations this build needs; `serve` never migrates by itself. */
export class SchemaBehindError extends Error {
  override readonly name = 'SchemaBehindError';
  constructor(readonly pending: readonly string[]) {
    super(
      `the database schema is behind this build (not applied: ${pending.join(', ')}); run \`policy-gateway migrate\` with the same POLICY_GATEWAY_* settings, then start the gateway again`,
    );
  }
}

export async function openAuditStore(
  settings: StoreSettings,
  log: Pick<Logger, 'info' | 'warn' | 'error'>,
): Promise<AuditStore> {
  if (settings.backend === 'memory') return createMemoryStore(settings.maxEntries);
  const database = await openDatabase(settings, { log });
  try {
    const status = await database.migrationStatus();
    if (status.state === 'behind') throw new SchemaBehindError(status.pending);
    if (status.state === 'ahead') {
      log.warn(
        { unknownMigrations: status.unknown },
        'the database schema is ahead of this build (a newer build migrated it); serving, since migrations are additive',
      );
    }
  } catch (error) {
    await database.close();
    throw error;
  }
  return createDatabaseStore(database);
}
