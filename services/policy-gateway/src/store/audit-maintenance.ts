/**
 * What `serve` does to a database store besides reading and writing: create the partitions
 * (`POLICY_GATEWAY_AUDIT_PARTITION_INTERVAL`) ahead of time (at start, then every six hours);
 * when `POLICY_GATEWAY_AUDIT_RETENTION_DAYS` or `POLICY_GATEWAY_ACCESS_LOG_RETENTION_DAYS` is
 * set, drop the expired ones (at start, then hourly); and every second, roll the entries
 * written since into the stats roll-ups (migration 024), on a schedule of its own so that a
 * long retention round does not hold it up.
 * All are idempotent and take the library's advisory locks, so every replica and worker may
 * run them. A failure is logged and tried again on the next round; it never stops serving
 * (the default partition takes any entry a missing partition would have held, and the stats
 * count entries not yet rolled up as they read).
 */
import type { AuditSigningKey } from '@policy-gateway/governance-runtime';
import {
  type AuditLogDatabase,
  applyAuditRetention,
  ensureAuditPartitions,
  type PartitionInterval,
  rollUpPendingAuditStats,
} from '@policy-gateway/governance-runtime/postgres';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';

export interface AuditMaintenanceOptions {
  /** Default a month. */
  readonly partitionInterval?: PartitionInterval;
  readonly retentionDays: number | undefined;
  /** undefined: as `retentionDays`. */
  readonly accessLogRetentionDays: number | undefined;
  readonly signingKey: AuditSigningKey;
  readonly instance: string;
  readonly log: Pick<Logger, 'info' | 'warn' | 'error'>;
  readonly partitionsEveryMs?: number;
  readonly retentionEveryMs?: number;
  /** How often entries are rolled into the stats roll-ups; default a second. */
  readonly statsRollupEveryMs?: number;
}

export interface RunningAuditMaintenance {
  /** Stops the schedule and waits for a round in progress. */
  stop(): Promise<void>;
}

export function startAuditMaintenance(
  db: Kysely<AuditLogDatabase>,
  options: AuditMaintenanceOptions,
): RunningAuditMaintenance {
  const { log } = options;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  const partitions = async () => {
    const { created, failed } = await ensureAuditPartitions(db, {
      ...(options.partitionInterval !== undefined && { interval: options.partitionInterval }),
    });
    if (created.length > 0) log.info({ created }, 'audit partitions created ahead of time');
    for (const { name, error } of failed) {
      log.error({ partition: name, err: error }, 'an audit partition could not be created');
    }
  };
  const retention = async () => {
    const { retentionDays, accessLogRetentionDays } = options;
    if (retentionDays === undefined && accessLogRetentionDays === undefined) return;
    const outcome = await applyAuditRetention(db, {
      ...(retentionDays !== undefined && { retentionDays }),
      ...(accessLogRetentionDays !== undefined && { accessLogRetentionDays }),
      key: options.signingKey,
      removedBy: options.instance,
    });
    for (const p of outcome.partitions) {
      const fields = {
        table: p.table,
        partition: p.name,
        to: p.to,
        chains: p.chains.length,
        rows: p.estimatedRows,
      };
      if (p.status === 'dropped') log.info(fields, 'retention dropped an expired partition');
      else log.error({ ...fields, err: p.error }, 'retention could not drop an expired partition');
    }
  };
  const round = (work: () => Promise<void>) => () => {
    if (stopped) return;
    running = running
      .then(work)
      .catch((error: unknown) => log.error({ err: error }, 'audit maintenance failed'));
  };
  // At most one roll-up at a time, and none queued behind it: the next tick takes what is left.
  let rollingUp: Promise<void> | undefined;
  const statsRollup = () => {
    if (stopped || rollingUp !== undefined) return;
    rollingUp = rollUpPendingAuditStats(db)
      .then(
        () => undefined,
        (error: unknown) => log.error({ err: error }, 'the audit stats roll-up failed'),
      )
      .finally(() => {
        rollingUp = undefined;
      });
  };
  round(partitions)();
  round(retention)();
  const timers = [
    setInterval(round(partitions), options.partitionsEveryMs ?? 6 * 3_600_000),
    setInterval(round(retention), options.retentionEveryMs ?? 3_600_000),
    setInterval(statsRollup, options.statsRollupEveryMs ?? 1_000),
  ];
  for (const timer of timers) timer.unref();
  return {
    async stop() {
      stopped = true;
      for (const timer of timers) clearInterval(timer);
      await Promise.all([running, rollingUp]);
    },
  };
}
