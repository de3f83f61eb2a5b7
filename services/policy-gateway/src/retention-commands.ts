/**
 * `policy-gateway retention apply [--dry-run]`: removes the audit trail's and the access log's
 * monthly partitions that lie wholly before their retention horizons
 * (`POLICY_GATEWAY_AUDIT_RETENTION_DAYS`, `POLICY_GATEWAY_ACCESS_LOG_RETENTION_DAYS`), after a
 * signed retention record per hash chain they cut, and per access-log partition (see the
 * library's `audit-retention.ts`). `--dry-run` lists what would go and changes nothing. One
 * line per partition; exit 1 if any could not be dropped.
 */

import { userInfo } from 'node:os';
import type { Writable } from 'node:stream';
import { loadAuditSigningKey } from '@policy-gateway/governance-runtime';
import { applyAuditRetention } from '@policy-gateway/governance-runtime/postgres';
import type { Logger } from 'pino';
import type { Settings } from './config/settings.js';
import { openDatabase } from './db/database.js';
import { EXIT } from './migrate-commands.js';

export const RETENTION_USAGE = `  retention apply [--dry-run]
                   Drop the partitions older than POLICY_GATEWAY_AUDIT_RETENTION_DAYS (the access log's:
                   POLICY_GATEWAY_ACCESS_LOG_RETENTION_DAYS), after signing a retention record per chain and per access-log partition`;

export interface RetentionCommand {
  readonly name: 'retention apply';
  readonly dryRun: boolean;
}

/** Parses what follows `retention`; a string is a usage error. */
export function parseRetentionCommand(args: readonly string[]): RetentionCommand | string {
  const [sub, ...rest] = args;
  if (sub !== 'apply') {
    return `unknown command "retention ${args.join(' ')}": expected retention apply [--dry-run] (see --help)`;
  }
  const unknown = rest.filter((arg) => arg !== '--dry-run');
  if (unknown.length > 0) return `retention apply does not take ${unknown[0]} (it takes --dry-run)`;
  return { name: 'retention apply', dryRun: rest.includes('--dry-run') };
}

interface Io {
  readonly out: Writable;
  readonly log: Logger;
}

export async function runRetentionCommand(
  command: RetentionCommand,
  settings: Settings,
  { out, log }: Io,
): Promise<number> {
  const days = settings.retention.days;
  const accessLogDays = settings.retention.accessLogDays;
  if (days === undefined && accessLogDays === undefined) {
    out.write(
      'retention is off: neither POLICY_GATEWAY_AUDIT_RETENTION_DAYS nor POLICY_GATEWAY_ACCESS_LOG_RETENTION_DAYS is set, so nothing is removed\n',
    );
    return EXIT.OK;
  }
  if (settings.store.backend === 'memory') {
    out.write('nothing to remove: the memory audit store keeps no partitions\n');
    return EXIT.OK;
  }
  const key = command.dryRun
    ? undefined
    : loadAuditSigningKey({
        keyFile: settings.auditChain.signingKeyFile,
        dataDir: settings.dataDir,
      }).key;
  const database = await openDatabase(settings.store, { log, forMigrations: true });
  try {
    const outcome = await applyAuditRetention(database.db, {
      ...(days !== undefined && { retentionDays: days }),
      ...(accessLogDays !== undefined && { accessLogRetentionDays: accessLogDays }),
      removedBy: `cli:${userInfo().username}`,
      dryRun: command.dryRun,
      ...(key !== undefined && { key }),
    });
    for (const [table, horizon] of Object.entries(outcome.horizons)) {
      out.write(
        `retention of ${table}: partitions wholly before ${horizon} are expired${command.dryRun ? ' (dry run: nothing changed)' : ''}\n`,
      );
    }
    for (const p of outcome.partitions) {
      const chains = p.chains.map((c) => `${c.chainId} up to seq ${c.lastRemovedSeq}`).join(', ');
      out.write(
        `  ${p.status}: ${p.name} (${p.from ?? 'everything'} to ${p.to}, ~${p.estimatedRows} rows)${chains === '' ? '' : `; chains cut: ${chains}`}${p.error === undefined ? '' : `: ${p.error instanceof Error ? p.error.message : String(p.error)}`}\n`,
      );
    }
    if (outcome.partitions.length === 0) out.write('  nothing has expired\n');
    return outcome.partitions.some((p) => p.status === 'failed') ? EXIT.FAILURE : EXIT.OK;
  } finally {
    await database.close();
  }
}
