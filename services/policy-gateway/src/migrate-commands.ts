/**
 * `policy-gateway migrate` and `policy-gateway migrate status`: the schema step operators
 * (and deployment jobs) run before new gateways start. Output is for people: one line per
 * migration; the exit code is for scripts.
 */
import type { Writable } from 'node:stream';
import {
  ensureAuditPartitions,
  prepareOnlineMigrations,
} from '@policy-gateway/governance-runtime/postgres';
import type { Logger } from 'pino';
import type { Settings } from './config/settings.js';
import { openDatabase } from './db/database.js';
import { migrateToLatest } from './db/migration-runner.js';

/** Exit codes of the CLI, documented in README.md. */
export const EXIT = Object.freeze({
  OK: 0,
  FAILURE: 1,
  USAGE: 2,
  /** `migrate status`: migrations are pending. */
  PENDING: 3,
});

interface Io {
  readonly out: Writable;
  readonly log: Logger;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export async function migrate(settings: Settings, { out, log }: Io): Promise<number> {
  if (settings.store.backend === 'memory') {
    out.write('nothing to migrate: the memory audit store has no schema\n');
    return EXIT.OK;
  }
  const database = await openDatabase(settings.store, { log, forMigrations: true });
  try {
    out.write(`migrating the ${database.backend} audit database at ${database.location}\n`);
    // A schema a newer build migrated has names this build does not know; Kysely's migrator
    // would call that corrupted. Rolling back to this build must still be able to run its
    // migration step, so a schema with nothing pending for this build is simply left alone.
    const before = await database.migrationStatus();
    if (before.unknown.length > 0) {
      if (before.pending.length === 0) {
        out.write(
          `schema is ahead of this build (also applied: ${before.unknown.join(', ')}): nothing to apply\n`,
        );
        return EXIT.OK;
      }
      out.write(
        `migration refused: the schema has migrations this build does not know (${before.unknown.join(', ')}) but lacks ones it needs (${before.pending.join(', ')}); run \`policy-gateway migrate\` of the newer build\n`,
      );
      return EXIT.FAILURE;
    }
    if (before.pending.length > 0) {
      // The slow, online part of pending migrations (reading a large table with writers
      // going on), outside the migrations' transaction: that then only changes the catalog.
      const prepared = await prepareOnlineMigrations(database.db);
      for (const { table, bound } of prepared.partitioning) {
        out.write(`  prepared: ${table} holds no entry from ${bound} on (validated online)\n`);
      }
      for (const copy of prepared.indexCopies) {
        out.write(`  prepared: index ${copy} (built concurrently)\n`);
      }
    }
    const outcome = await migrateToLatest(database.db);
    for (const result of outcome.results) {
      const verb =
        result.status === 'Success' ? 'applied' : result.status === 'Error' ? 'FAILED' : 'not run';
      out.write(`  ${verb}: ${result.migrationName}\n`);
    }
    if (outcome.error !== undefined) {
      out.write(
        `migration failed: ${errorText(outcome.error)}; the failed migration was rolled back, the schema is as it was before it\n`,
      );
      return EXIT.FAILURE;
    }
    if (outcome.results.length === 0) out.write('schema is current: nothing to apply\n');
    else out.write(`schema is current: applied ${outcome.results.length} migration(s)\n`);
    const partitions = await ensureAuditPartitions(database.db, {
      interval: settings.retention.partitionInterval,
    });
    for (const name of partitions.created) out.write(`  partition created: ${name}\n`);
    for (const { name, error } of partitions.failed) {
      out.write(`  partition NOT created: ${name}: ${errorText(error)}\n`);
    }
    return partitions.failed.length === 0 ? EXIT.OK : EXIT.FAILURE;
  } finally {
    await database.close();
  }
}

export async function migrateStatus(settings: Settings, { out, log }: Io): Promise<number> {
  if (settings.store.backend === 'memory') {
    out.write('the memory audit store has no schema: nothing to migrate\n');
    return EXIT.OK;
  }
  const database = await openDatabase(settings.store, { log, forMigrations: true });
  try {
    const status = await database.migrationStatus();
    out.write(`${database.backend} audit database at ${database.location}\n`);
    for (const applied of status.applied) {
      const note = status.unknown.includes(applied.name) ? ' (unknown to this build)' : '';
      out.write(`  applied  ${applied.name}  ${applied.executedAt}${note}\n`);
    }
    for (const name of status.pending) out.write(`  pending  ${name}\n`);
    const summary = {
      current: 'schema is current',
      ahead: 'schema is ahead of this build (a newer build migrated it); nothing to apply',
      behind: `schema is behind: ${status.pending.length} pending migration(s); run \`policy-gateway migrate\``,
    }[status.state];
    out.write(`${summary}\n`);
    return status.pending.length === 0 ? EXIT.OK : EXIT.PENDING;
  } finally {
    await database.close();
  }
}
