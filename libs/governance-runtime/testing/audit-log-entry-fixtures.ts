/**
 * Audit entries for the contract suite: realistic values, every field set, overridable
 * one field at a time.
 */
import type { AuditDecision, AuditLogEntry } from '../src/audit-log-entry.js';
import type { AuditShadowDecision } from '../src/audit-shadow-decision.js';
import { formatEpochMicros } from '../src/audit-timestamp.js';
import { newAuditLogEntryId } from '../src/new-audit-log-entry-id.js';

/** 2026-11-28T07:00:00.000000Z in microseconds since the epoch. */
export const BASE_MICROS = Date.UTC(2026, 10, 28, 7, 0, 0) * 1000;

/** The canonical timestamp `offsetMicros` after the base time. */
export function at(offsetMicros: number): string {
  return formatEpochMicros(BASE_MICROS + offsetMicros);
}

export function makeEntry(overrides: Partial<AuditLogEntry> = {}): AuditLogEntry {
  return {
    id: newAuditLogEntryId(),
    decisionId: newAuditLogEntryId(),
    occurredAt: at(0),
    userId: 'user-1',
    principalId: 'key:test-key',
    action: 'policy.evaluate',
    decision: 'allow',
    reasons: [],
    policyPath: 'data.policy_gateway.decision',
    policyVersion: 'sha256:0123abcd',
    policyEngine: 'embedded',
    input: { prompt: 'hello', user_id: 'user-1' },
    result: { allow: true, reasons: [] },
    error: null,
    latencyMs: 0.25,
    requestId: 'req-1',
    clientRequestId: 'client-req-1',
    clientAddress: '127.0.0.1',
    userAgent: 'vitest',
    gatewayInstance: 'test-host:1',
    idempotencyKey: null,
    requestDigest: null,
    ...overrides,
  };
}

/** A shadow decision of a candidate bundle, as the gateway records it. */
export function shadowOf(decision: AuditDecision): AuditShadowDecision {
  return {
    decision,
    reasons:
      decision === 'deny'
        ? [{ code: 'secret.aws_access_key', message: 'an AWS key', severity: 'high' }]
        : [],
    policy_version: 'candidate-2',
    latency_ms: 0.125,
    error: decision === 'error' ? 'candidate failed' : null,
  };
}
