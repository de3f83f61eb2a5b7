// Builds audit entries shaped exactly like the gateway's `GET /governance/audit` entries.
import type { AuditEntry } from '../../src/api/gateway-types.js';

let sequence = 0;

/** An entry `secondsAgo` before `base`, with a distinct, time-ordered id. */
export function makeEntry(
  overrides: Partial<AuditEntry> & { secondsAgo?: number } = {},
  base = Date.now(),
): AuditEntry {
  sequence += 1;
  const { secondsAgo = sequence, ...rest } = overrides;
  const instant = new Date(base - secondsAgo * 1000).toISOString().replace('Z', '123Z');
  // A UUIDv7, like the gateway's ids: the instant in milliseconds as 12 hex digits first, so ids
  // sort by time, then version and variant, then the sequence number.
  const millis = (base - secondsAgo * 1000).toString(16).padStart(12, '0');
  const id = `${millis.slice(0, 8)}-${millis.slice(8)}-7000-8000-${String(sequence).padStart(12, '0')}`;
  return {
    id,
    decision_id: `dec-${sequence}`,
    occurred_at: instant,
    user_id: 'alice',
    principal_id: 'key:workbench-test',
    action: 'policy.evaluate',
    decision: 'allow',
    reasons: [],
    policy_path: 'data.policy_gateway.decision',
    policy_version: 'sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
    policy_engine: 'embedded',
    input: { prompt: 'hello', user_id: 'alice' },
    result: { allow: true, reasons: [] },
    error: null,
    latency_ms: 1.234,
    request_id: `req-${sequence}`,
    client_request_id: null,
    client_address: '127.0.0.1',
    user_agent: 'curl/8.5.0',
    gateway_instance: 'gw-test-1',
    idempotency_key: null,
    request_digest: null,
    chain: null,
    masking: null,
    sealed_original: null,
    sealed_original_state: null,
    shadow: null,
    enforced: true,
    ...rest,
  };
}
