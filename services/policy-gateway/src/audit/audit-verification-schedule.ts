/**
 * The gateway verifying its own audit trail on a schedule (issue 11,
 * `POLICY_GATEWAY_AUDIT_VERIFY_INTERVAL_SECONDS`): every interval, through the one
 * `AuditIntegrityMonitor` (so never two verifications at once, an on-demand one included).
 *
 * Incremental between full walks: after an intact run, the next verifies only the entries
 * written since it began (less a margin for entries committed after the time they carry), from
 * the signed checkpoint before them, which costs what was written rather than the whole trail.
 * A change to older entries is caught by the full walk every
 * `POLICY_GATEWAY_AUDIT_VERIFY_FULL_INTERVAL_SECONDS`. After a failed run every run is full, so
 * that the failure keeps being reported until a walk of the whole trail finds it intact: an
 * incremental run must never hide a problem an earlier one found. In a cluster, one worker runs
 * the schedule (`main.ts`).
 */
import type { AuditIntegrityMonitor } from './audit-integrity-monitor.js';

/**
 * How far before the last run's start an incremental run begins: entries carry the time they
 * were decided, and may be committed (group commit, a queue under load) a little later.
 */
export const INCREMENTAL_MARGIN_MS = 5 * 60_000;

export interface AuditVerificationScheduleOptions {
  readonly intervalMs: number;
  readonly fullIntervalMs: number;
}

export class AuditVerificationSchedule {
  readonly #monitor: AuditIntegrityMonitor;
  readonly #options: AuditVerificationScheduleOptions;
  #timer: NodeJS.Timeout | undefined;
  #nextAt: Date | null = null;
  /** When the last scheduled full run began. */
  #lastFullAt: number | undefined;

  constructor(monitor: AuditIntegrityMonitor, options: AuditVerificationScheduleOptions) {
    this.#monitor = monitor;
    this.#options = options;
  }

  /** Schedules the first run one interval from now (not at start, which has enough to do). */
  start(): void {
    if (!this.#monitor.available || this.#options.intervalMs <= 0) {
      this.#monitor.describeSchedule(null);
      return;
    }
    this.#arm();
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#nextAt = null;
  }

  /** What the next run will verify: everything, or what was written since. */
  nextRun(now: number = Date.now()): { readonly since?: string } {
    const last = this.#monitor.last;
    const fullDue =
      this.#lastFullAt === undefined || now - this.#lastFullAt >= this.#options.fullIntervalMs;
    if (fullDue || last === null || !last.result.intact) return {};
    const since = Date.parse(last.result.startedAt) - INCREMENTAL_MARGIN_MS;
    return { since: new Date(since).toISOString() };
  }

  /** Runs one scheduled verification now (the timer's tick; tests call it too). */
  run(now: number = Date.now()): void {
    const next = this.nextRun(now);
    if (next.since === undefined) this.#lastFullAt = now;
    this.#monitor.start(next);
  }

  #arm(): void {
    const { intervalMs, fullIntervalMs } = this.#options;
    this.#nextAt = new Date(Date.now() + intervalMs);
    this.#monitor.describeSchedule({
      interval_seconds: Math.max(1, Math.round(intervalMs / 1000)),
      full_interval_seconds: Math.max(1, Math.round(fullIntervalMs / 1000)),
      next_at: this.#nextAt.toISOString(),
      next_scope: this.nextRun(this.#nextAt.getTime()).since === undefined ? 'full' : 'incremental',
    });
    // Unref'd: a pending verification never keeps a stopping gateway alive.
    this.#timer = setTimeout(() => {
      this.run();
      this.#monitor.settled().then(() => {
        if (this.#timer !== undefined) this.#arm();
      });
    }, intervalMs).unref();
  }
}
