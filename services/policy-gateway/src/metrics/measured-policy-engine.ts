/**
 * The policy engine, counted: each evaluation's decision and latency go to the metrics. A
 * decorator on the `PolicyEngine` port, so neither engine nor route knows about metrics.
 */
import type { DocumentAnswer, DocumentQuery } from '../policy/data-document.js';
import type { PolicyEngine, PolicyEvaluation, PolicyInput } from '../policy/policy-engine.js';
import type { GatewayMetrics } from './gateway-metrics.js';

export class MeasuredPolicyEngine implements PolicyEngine {
  readonly #inner: PolicyEngine;
  readonly #metrics: GatewayMetrics;

  constructor(inner: PolicyEngine, metrics: GatewayMetrics) {
    this.#inner = inner;
    this.#metrics = metrics;
  }

  get name(): PolicyEngine['name'] {
    return this.#inner.name;
  }

  get policyPath(): string {
    return this.#inner.policyPath;
  }

  get policyVersion(): string {
    return this.#inner.policyVersion;
  }

  async evaluate(input: PolicyInput): Promise<PolicyEvaluation> {
    const evaluation = await this.#inner.evaluate(input);
    this.#metrics.decided(
      evaluation.decision,
      this.#inner.policyVersion,
      this.#inner.name,
      evaluation.latencyMs,
    );
    return evaluation;
  }

  /** OPA Data API queries pass through uncounted (they are not the gateway's decision). */
  queryDocument(query: DocumentQuery): Promise<DocumentAnswer> {
    return this.#inner.queryDocument(query);
  }

  close(): Promise<void> {
    return this.#inner.close();
  }
}
