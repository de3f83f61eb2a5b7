/**
 * What `GET /governance/audit/integrity` and `POST …/verify` ask of the gateway's verification
 * of its trail: this process's own (`AuditIntegrityMonitor`, with its schedule where this
 * process runs one), or, in a worker of a cluster that does not verify, the verifying worker's
 * through the primary (`cluster/audit-integrity-relay.ts`), so that every worker answers the
 * same and only one verifies.
 */
import type { AuditIntegrity } from '@policy-gateway/gateway-contract';
import type { AuditTrailReader } from '@policy-gateway/governance-runtime';
import type { Logger } from 'pino';
import {
  AuditIntegrityMonitor,
  type AuditVerificationObserver,
} from './audit-integrity-monitor.js';
import { AuditVerificationSchedule } from './audit-verification-schedule.js';

export interface AuditIntegrityView {
  status(): Promise<AuditIntegrity>;
  /** Starts a full verification unless one is running; answers the status at once. */
  verifyNow(): Promise<AuditIntegrity>;
  close(): Promise<void>;
}

/** This process's monitor, and its schedule when it runs one. */
export function localIntegrity(
  monitor: AuditIntegrityMonitor,
  schedule?: AuditVerificationSchedule,
): AuditIntegrityView {
  schedule?.start();
  return {
    status: async () => monitor.status(),
    verifyNow: async () => {
      monitor.start();
      return monitor.status();
    },
    close: async () => {
      schedule?.stop();
      await monitor.close();
    },
  };
}

/**
 * `serve`'s own verification: a monitor of the store's trail, on the schedule the settings
 * give (none for an interval of 0).
 */
export function scheduledIntegrity(
  trail: AuditTrailReader | undefined,
  options: {
    readonly intervalSeconds: number;
    readonly fullIntervalSeconds: number;
    readonly observer?: AuditVerificationObserver;
    readonly log: Pick<Logger, 'info' | 'warn' | 'error'>;
  },
): AuditIntegrityView {
  const monitor = new AuditIntegrityMonitor(trail, {
    log: options.log,
    ...(options.observer !== undefined && { observer: options.observer }),
  });
  return localIntegrity(
    monitor,
    new AuditVerificationSchedule(monitor, {
      intervalMs: options.intervalSeconds * 1000,
      fullIntervalMs: options.fullIntervalSeconds * 1000,
    }),
  );
}
