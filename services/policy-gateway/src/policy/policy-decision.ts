/**
 * Turns the raw decision document a policy produced into a `PolicyEvaluation`, shared by
 * both adapters so that the embedded engine and OPA cannot read the same result differently.
 * A result that is not `{ "allow": bool, "reasons": [{code, message, severity}] }` is an error.
 */
import type { AuditReason, ReasonSeverity } from '@policy-gateway/governance-runtime';
import type { PolicyEvaluation } from './policy-engine.js';

const SEVERITIES: ReadonlySet<string> = new Set<ReasonSeverity>([
  'low',
  'medium',
  'high',
  'critical',
]);

/** What the caller knows besides the result itself. */
export interface EvaluationFacts {
  readonly policyPath: string;
  readonly latencyMs: number;
  readonly decisionId?: string;
}

/**
 * Maps a policy result (JSON, `undefined` when the rule was undefined) to an evaluation.
 * The decision follows `allow`; reasons are kept even on allow (a policy may warn).
 */
export function evaluationFromResult(result: unknown, facts: EvaluationFacts): PolicyEvaluation {
  if (result === undefined) {
    return errorEvaluation(
      `${facts.policyPath} is undefined: the policy produced no decision (fail-closed)`,
      facts,
    );
  }
  const problem = decisionDocumentProblem(result);
  if (problem !== null) {
    return errorEvaluation(
      `${facts.policyPath} is not a decision document: ${problem}`,
      facts,
      result,
    );
  }
  const document = result as { allow: boolean; reasons: readonly AuditReason[] };
  return {
    decision: document.allow ? 'allow' : 'deny',
    allow: document.allow,
    reasons: document.reasons.map((reason) => ({
      code: reason.code,
      message: reason.message,
      severity: reason.severity,
    })),
    result,
    error: null,
    latencyMs: facts.latencyMs,
    ...(facts.decisionId === undefined ? {} : { decisionId: facts.decisionId }),
  };
}

/** A failed evaluation: decision `error`, never allowed. */
export function errorEvaluation(
  error: string,
  facts: EvaluationFacts,
  result: unknown = null,
): PolicyEvaluation {
  return {
    decision: 'error',
    allow: false,
    reasons: [],
    result: result === undefined ? null : result,
    error,
    latencyMs: facts.latencyMs,
    ...(facts.decisionId === undefined ? {} : { decisionId: facts.decisionId }),
  };
}

/** Milliseconds since `startedAt` (a `performance.now()` reading), to the microsecond. */
export function elapsedMs(startedAt: number): number {
  return Math.round((performance.now() - startedAt) * 1000) / 1000;
}

/** Why `value` is not a decision document, or null when it is one. */
function decisionDocumentProblem(value: unknown): string | null {
  if (!isRecord(value)) return `expected an object, got ${describe(value)}`;
  if (typeof value.allow !== 'boolean')
    return `"allow" must be a boolean, got ${describe(value.allow)}`;
  if (!Array.isArray(value.reasons))
    return `"reasons" must be an array, got ${describe(value.reasons)}`;
  for (const [index, reason] of value.reasons.entries()) {
    const where = `reasons[${index}]`;
    if (!isRecord(reason)) return `${where} must be an object, got ${describe(reason)}`;
    if (typeof reason.code !== 'string' || reason.code === '') {
      return `${where}.code must be a non-empty string`;
    }
    if (typeof reason.message !== 'string') return `${where}.message must be a string`;
    if (typeof reason.severity !== 'string' || !SEVERITIES.has(reason.severity)) {
      return `${where}.severity must be one of ${[...SEVERITIES].join(', ')}, got ${describe(reason.severity)}`;
    }
  }
  return null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string')
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}
