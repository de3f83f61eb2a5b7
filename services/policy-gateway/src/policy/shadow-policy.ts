/**
 * A candidate bundle run in shadow (shadow rollout): every decision the gateway makes is also
 * asked of it, at the same time, and what it decided is recorded with the entry as its
 * `shadow`, never answered or enforced. Its failures are recorded as a shadow `error` and
 * never reach the request.
 */
import type { AuditShadowDecision } from '@policy-gateway/governance-runtime';
import { decisionOf } from '../audit/data-api-audit-entry.js';
import type { DocumentQuery } from './data-document.js';
import type { PolicyEngine, PolicyInput } from './policy-engine.js';

export class ShadowPolicy {
  readonly engine: PolicyEngine;

  constructor(engine: PolicyEngine) {
    this.engine = engine;
  }

  /** The candidate's decision on a `POST /policy/evaluate` input; never rejects. */
  async evaluate(input: PolicyInput): Promise<AuditShadowDecision> {
    const startedAt = performance.now();
    try {
      const evaluation = await this.engine.evaluate(input);
      return {
        decision: evaluation.decision,
        reasons: evaluation.reasons,
        policy_version: this.engine.policyVersion,
        latency_ms: roundMicros(evaluation.latencyMs),
        error: evaluation.decision === 'error' ? (evaluation.error ?? 'evaluation failed') : null,
      };
    } catch (error) {
      return this.#failed(error, startedAt);
    }
  }

  /**
   * The candidate's decision on a Data API query, read from its document as the entry's own
   * decision is (`decisionOf`); never rejects.
   */
  async queryDocument(query: DocumentQuery, ref: string): Promise<AuditShadowDecision> {
    const startedAt = performance.now();
    try {
      const answer = await this.engine.queryDocument(query);
      const { decision, reasons } = decisionOf(answer, ref);
      return {
        decision,
        reasons,
        policy_version: this.engine.policyVersion,
        latency_ms: roundMicros(answer.latencyMs),
        error: answer.kind === 'error' ? `${answer.error.code}: ${answer.error.message}` : null,
      };
    } catch (error) {
      return this.#failed(error, startedAt);
    }
  }

  close(): Promise<void> {
    return this.engine.close();
  }

  /** The engine broke its promise never to reject: still only a recorded shadow error. */
  #failed(error: unknown, startedAt: number): AuditShadowDecision {
    return {
      decision: 'error',
      reasons: [],
      policy_version: this.engine.policyVersion,
      latency_ms: roundMicros(performance.now() - startedAt),
      error: `shadow policy engine failed: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
}

/** Milliseconds to the microsecond, as the entry's own latency is kept. */
function roundMicros(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
