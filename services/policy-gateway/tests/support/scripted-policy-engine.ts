/**
 * A PolicyEngine double for route tests: decides from the prompt text so that each test can
 * ask for allow, deny or a failed evaluation without the Rego bundle. The real engines are
 * exercised by the policy tests and by the child-process tests.
 */
import type { DocumentAnswer, DocumentQuery } from '../../src/policy/data-document.js';
import type {
  PolicyEngine,
  PolicyEvaluation,
  PolicyInput,
} from '../../src/policy/policy-engine.js';

export class ScriptedPolicyEngine implements PolicyEngine {
  readonly name = 'embedded' as const;
  readonly policyPath = 'data.policy_gateway.decision';
  readonly policyVersion = 'sha256:test-bundle';
  readonly inputs: PolicyInput[] = [];
  closed = false;

  async evaluate(input: PolicyInput): Promise<PolicyEvaluation> {
    this.inputs.push(input);
    if (input.prompt.includes('FAIL')) {
      return {
        decision: 'error',
        allow: false,
        reasons: [],
        result: null,
        error: 'policy result is undefined',
        latencyMs: 0.25,
      };
    }
    if (input.prompt.includes('THROW')) throw new Error('adapter bug');
    const deny = input.prompt.includes('SECRET');
    const reasons = deny
      ? [
          {
            code: 'secret.api_key',
            message: 'The prompt contains an API key.',
            severity: 'high' as const,
          },
        ]
      : [];
    return {
      decision: deny ? 'deny' : 'allow',
      allow: !deny,
      reasons,
      result: { allow: !deny, reasons },
      error: null,
      latencyMs: 0.5,
    };
  }

  /** Every document is undefined: the Data API's tests run the real engines. */
  async queryDocument(_query: DocumentQuery): Promise<DocumentAnswer> {
    return { kind: 'undefined', latencyMs: 0.25 };
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
