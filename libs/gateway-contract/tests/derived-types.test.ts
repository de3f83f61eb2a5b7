// Type-level checks, run by `tsc` (npm run typecheck): the types derived from the schemas agree
// with the domain's, so a drift between the wire and the domain is a compile error.
import type {
  AuditDecision as DomainDecision,
  ReasonSeverity as DomainSeverity,
} from '@policy-gateway/governance-runtime';
import { describe, expectTypeOf, it } from 'vitest';
import type {
  AuditDecision,
  AuditEntry,
  AuditQuery,
  EvaluateResult,
  ReasonSeverity,
} from '../src/index.js';

describe('types derived from the schemas', () => {
  it('use the domain decisions and severities', () => {
    expectTypeOf<AuditEntry['decision']>().toEqualTypeOf<DomainDecision>();
    expectTypeOf<AuditDecision>().toEqualTypeOf<'allow' | 'deny' | 'error'>();
    expectTypeOf<ReasonSeverity>().toEqualTypeOf<DomainSeverity>();
    expectTypeOf<EvaluateResult['decision']>().toEqualTypeOf<'allow' | 'deny'>();
  });

  it('type nullable members as such and required members as required', () => {
    expectTypeOf<AuditEntry['gateway_instance']>().toEqualTypeOf<string>();
    expectTypeOf<AuditEntry['idempotency_key']>().toEqualTypeOf<string | null>();
    expectTypeOf<AuditEntry['request_digest']>().toEqualTypeOf<string | null>();
    expectTypeOf<AuditEntry['request_id']>().toEqualTypeOf<string | null>();
    expectTypeOf<AuditEntry['client_request_id']>().toEqualTypeOf<string | null>();
    expectTypeOf<AuditEntry['input']>().toEqualTypeOf<unknown>();
    expectTypeOf<AuditQuery['limit']>().toEqualTypeOf<number | undefined>();
  });
});
