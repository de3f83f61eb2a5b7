/** Audit entries for read tests, one per minute from a fixed start, so order is known. */
import {
  type AuditLogEntry,
  formatEpochMicros,
  newAuditLogEntryId,
} from '@policy-gateway/governance-runtime';

const START_MICROS = Date.UTC(2026, 10, 28, 7, 0, 0) * 1000;

export function auditEntry(minute: number, overrides: Partial<AuditLogEntry> = {}): AuditLogEntry {
  return {
    id: newAuditLogEntryId(),
    decisionId: `decision-${minute}`,
    occurredAt: formatEpochMicros(START_MICROS + minute * 60_000_000),
    userId: 'alice',
    principalId: 'key:fixture',
    action: 'policy.evaluate',
    decision: 'allow',
    reasons: [],
    policyPath: 'data.policy_gateway.decision',
    policyVersion: 'sha256:v1',
    policyEngine: 'embedded',
    input: { prompt: `prompt ${minute}`, user_id: 'alice', context: {} },
    result: { allow: true, reasons: [] },
    error: null,
    latencyMs: 0.25,
    requestId: `req-${minute}`,
    clientRequestId: `client-req-${minute}`,
    clientAddress: '10.0.0.1',
    userAgent: 'fixture',
    gatewayInstance: 'gw-1',
    idempotencyKey: null,
    requestDigest: null,
    ...overrides,
  };
}
