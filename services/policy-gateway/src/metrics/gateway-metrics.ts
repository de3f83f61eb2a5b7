/**
 * The gateway's Prometheus metrics, in one registry per process: decisions by outcome and
 * policy version, evaluation latency, the audit write path (batch size, commit latency, queue
 * depth, failed writes), HTTP requests by route and status, and Node's process metrics.
 *
 * Every series carries `worker` (the worker's slot, `1`…`N`, the same after a restart), so
 * that a scrape of several workers keeps each worker's series apart and PromQL sums them.
 * Labels take only values from small sets fixed by the code or the deployment (decisions,
 * routes as declared, status codes, the one policy version a process serves): never a user,
 * a prompt or a raw URL.
 */
import type { AuditBatchWritten, AuditWriteObserver } from '@policy-gateway/governance-runtime';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { AuditVerificationObserver } from '../audit/audit-integrity-monitor.js';
import type { AuditWriteQueue } from '../store/tamper-evidence.js';

interface AnsweredSeries {
  readonly requests: Counter.Internal;
  readonly seconds: Histogram.Internal<'method' | 'route'>;
}

interface DecidedSeries {
  readonly decisions: Counter.Internal;
  readonly seconds: Histogram.Internal<'engine'>;
}

/** Seconds; from 100 µs (an in-memory commit) to 5 s (a stalled database). */
const LATENCY_BUCKETS = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
];
const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512];

export class GatewayMetrics {
  readonly registry = new Registry();
  readonly #decisions: Counter<'decision' | 'policy_version'>;
  readonly #evaluationSeconds: Histogram<'engine'>;
  readonly #commitSeconds: Histogram<'outcome'>;
  readonly #batchEntries: Histogram;
  readonly #storeErrors: Counter<'operation'>;
  readonly #httpRequests: Counter<'method' | 'route' | 'status'>;
  readonly #httpSeconds: Histogram<'method' | 'route'>;
  readonly #verifications: Counter<'scope' | 'outcome'>;
  readonly #trailBroken: Gauge;
  readonly #lastVerified: Gauge;
  /**
   * The series of each request's and decision's labels, looked up once: prom-client hashes
   * a label object on every call otherwise. Bounded by the label sets above.
   */
  readonly #answeredSeries = new Map<string, AnsweredSeries>();
  readonly #decidedSeries = new Map<string, DecidedSeries>();
  #writeQueue: AuditWriteQueue | undefined;

  /** @param worker this process's slot among the workers; `1` when one process serves. */
  constructor(worker: number) {
    const registers = [this.registry];
    this.registry.setDefaultLabels({ worker: String(worker) });
    collectDefaultMetrics({ register: this.registry });
    this.#decisions = new Counter({
      name: 'policy_gateway_decisions_total',
      help: 'Decisions the policy engine made, by decision (allow, deny, error) and policy version.',
      labelNames: ['decision', 'policy_version'],
      registers,
    });
    this.#evaluationSeconds = new Histogram({
      name: 'policy_gateway_evaluation_duration_seconds',
      help: 'Time the policy engine took for one evaluation, waiting for a free evaluation worker excluded.',
      labelNames: ['engine'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.#commitSeconds = new Histogram({
      name: 'policy_gateway_audit_commit_duration_seconds',
      help: 'Time one batch of audit entries took to be written and committed, by outcome (committed, failed).',
      labelNames: ['outcome'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.#batchEntries = new Histogram({
      name: 'policy_gateway_audit_batch_entries',
      help: 'Audit entries per batch written to the store (one transaction).',
      buckets: BATCH_BUCKETS,
      registers,
    });
    const metrics = this;
    new Gauge({
      name: 'policy_gateway_audit_write_queue_entries',
      help: 'Audit entries accepted and waiting for a batch to be written.',
      registers,
      collect() {
        this.set(metrics.#writeQueue?.queuedEntries ?? 0);
      },
    });
    this.#storeErrors = new Counter({
      name: 'policy_gateway_audit_store_errors_total',
      help: 'Audit store operations that failed (operation "write": a batch of which nothing was committed; its requests were refused).',
      labelNames: ['operation'],
      registers,
    });
    this.#storeErrors.inc({ operation: 'write' }, 0);
    // The gateway's own verifications of its trail: only the process that runs them (one
    // worker of a cluster) moves these; the others report 0, so `max` over workers alerts.
    this.#verifications = new Counter({
      name: 'policy_gateway_audit_verifications_total',
      help: 'Verifications of the audit trail this process ran, by scope (full, incremental) and outcome (intact, not-intact: tampering found, failed: could not finish).',
      labelNames: ['scope', 'outcome'],
      registers,
    });
    this.#trailBroken = new Gauge({
      name: 'policy_gateway_audit_trail_not_intact',
      help: "1 when this process's last finished verification of the audit trail found it not intact (altered, missing, inserted, reordered, truncated entries or bad checkpoints), else 0.",
      registers,
    });
    this.#lastVerified = new Gauge({
      name: 'policy_gateway_audit_verification_last_finished_seconds',
      help: 'When the last verification of the audit trail by this process ended (Unix time), whatever its outcome; 0 before the first.',
      registers,
    });
    this.#httpRequests = new Counter({
      name: 'policy_gateway_http_requests_total',
      help: 'HTTP requests answered, by method, route (as declared; "unmatched" for none) and status code.',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
    this.#httpSeconds = new Histogram({
      name: 'policy_gateway_http_request_duration_seconds',
      help: 'Time from a request to its answer, by method and route.',
      labelNames: ['method', 'route'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
  }

  decided(decision: string, policyVersion: string, engine: string, latencyMs: number): void {
    const key = `${decision}\n${policyVersion}\n${engine}`;
    let series = this.#decidedSeries.get(key);
    if (series === undefined) {
      series = {
        decisions: this.#decisions.labels({ decision, policy_version: policyVersion }),
        seconds: this.#evaluationSeconds.labels({ engine }),
      };
      this.#decidedSeries.set(key, series);
    }
    series.decisions.inc();
    series.seconds.observe(latencyMs / 1000);
  }

  /** Tells the metrics of the audit write path's batches. */
  readonly writeObserver: AuditWriteObserver = {
    batchWritten: ({ entries, durationMs, failed }: AuditBatchWritten) => {
      this.#batchEntries.observe(entries);
      this.#commitSeconds.observe({ outcome: failed ? 'failed' : 'committed' }, durationMs / 1000);
      if (failed) this.#storeErrors.inc({ operation: 'write' });
    },
  };

  /** Told of every verification of the trail that ended (`AuditIntegrityMonitor`). */
  readonly verificationObserver: AuditVerificationObserver = ({ scope, outcome, finishedAt }) => {
    this.#verifications.inc({ scope, outcome });
    if (outcome !== 'failed') this.#trailBroken.set(outcome === 'not-intact' ? 1 : 0);
    this.#lastVerified.set(finishedAt.getTime() / 1000);
  };

  /** The queue whose depth `policy_gateway_audit_write_queue_entries` reports. */
  watchWriteQueue(queue: AuditWriteQueue | undefined): void {
    this.#writeQueue = queue;
  }

  answered(method: string, route: string, status: number, seconds: number): void {
    const key = `${method}\n${route}\n${status}`;
    let series = this.#answeredSeries.get(key);
    if (series === undefined) {
      series = {
        requests: this.#httpRequests.labels({ method, route, status: String(status) }),
        seconds: this.#httpSeconds.labels({ method, route }),
      };
      this.#answeredSeries.set(key, series);
    }
    series.requests.inc();
    series.seconds.observe(seconds);
  }
}
