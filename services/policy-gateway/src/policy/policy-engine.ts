/**
 * The `PolicyEngine` port: how the gateway asks a Rego policy for a decision on a prompt.
 * Two adapters implement it, the embedded `libs/rego` engine and a remote OPA server.
 */
import type { AuditDecision, AuditReason } from '@policy-gateway/governance-runtime';
import type { DocumentAnswer, DocumentQuery } from './data-document.js';

/** The document the policy sees as `input`. */
export interface PolicyInput {
  readonly prompt: string;
  readonly user_id: string;
  readonly context: Readonly<Record<string, unknown>>;
}

/** One evaluation's outcome, ready to be answered and recorded in the audit trail. */
export interface PolicyEvaluation {
  readonly decision: AuditDecision;
  /** True only for `allow`. */
  readonly allow: boolean;
  readonly reasons: readonly AuditReason[];
  /** The raw policy result (JSON), null when undefined or failed. */
  readonly result: unknown;
  /** Why, when `decision` is `error`. */
  readonly error: string | null;
  /** OPA's `decision_id` when OPA returned one. */
  readonly decisionId?: string;
  readonly latencyMs: number;
  /**
   * The answer of the bundle's `data.system.log.mask` for this decision, when the engine
   * evaluates it with the decision (`decision-log-mask.ts`); absent otherwise.
   */
  readonly mask?: DocumentAnswer;
}

export interface PolicyEngine {
  readonly name: 'embedded' | 'opa';
  /** The policy's data path, e.g. `data.policy_gateway.decision`. */
  readonly policyPath: string;
  readonly policyVersion: string;
  /** Never rejects: any failure is a decision `error` (fail-closed). */
  evaluate(input: PolicyInput): Promise<PolicyEvaluation>;
  /**
   * Evaluates any document of the policy's data tree on any input, as OPA's Data API does.
   * Never rejects: a failure is an answer of kind `error`.
   */
  queryDocument(query: DocumentQuery): Promise<DocumentAnswer>;
  /** What `/ready` should warn of, e.g. a polled bundle that was not activated; none if omitted. */
  readonly warnings?: readonly string[];
  close(): Promise<void>;
}
