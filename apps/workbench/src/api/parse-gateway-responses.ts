/**
 * Checks the gateway's JSON against the contract once, at the boundary, so that components can
 * trust the types. A mismatch throws a `GatewayResponseError` naming the field.
 */
import { GatewayResponseError } from './gateway-errors.js';
import type {
  AuditDecision,
  AuditEntry,
  AuditPage,
  AuditReason,
  EvaluateResult,
  ReadyStatus,
  ReasonSeverity,
} from './gateway-types.js';

type JsonObject = Readonly<Record<string, unknown>>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function object(value: unknown, where: string): JsonObject {
  if (!isObject(value)) throw new GatewayResponseError(`${where} is not an object`);
  return value;
}

function string(obj: JsonObject, key: string, where: string): string {
  const value = obj[key];
  if (typeof value !== 'string') throw new GatewayResponseError(`${where}.${key} is not a string`);
  return value;
}

function optionalString(obj: JsonObject, key: string): string | null {
  const value = obj[key];
  return typeof value === 'string' ? value : null;
}

function optionalNumber(obj: JsonObject, key: string): number | null {
  const value = obj[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

const DECISIONS: ReadonlySet<string> = new Set(['allow', 'deny', 'error']);
const SEVERITIES: ReadonlySet<string> = new Set(['low', 'medium', 'high', 'critical']);

function decision(obj: JsonObject, where: string): AuditDecision {
  const value = string(obj, 'decision', where);
  if (!DECISIONS.has(value)) throw new GatewayResponseError(`${where}.decision is "${value}"`);
  return value as AuditDecision;
}

function reasons(value: unknown, where: string): AuditReason[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new GatewayResponseError(`${where}.reasons is not an array`);
  return value.map((item, index) => {
    const at = `${where}.reasons[${index}]`;
    const reason = object(item, at);
    const severity = optionalString(reason, 'severity') ?? 'medium';
    return {
      code: string(reason, 'code', at),
      message: optionalString(reason, 'message') ?? '',
      // An unknown severity is shown as medium rather than rejecting the whole page.
      severity: (SEVERITIES.has(severity) ? severity : 'medium') as ReasonSeverity,
    };
  });
}

export function parseAuditEntry(value: unknown, where = 'entry'): AuditEntry {
  const obj = object(value, where);
  return {
    id: string(obj, 'id', where),
    decision_id: optionalString(obj, 'decision_id') ?? '',
    occurred_at: string(obj, 'occurred_at', where),
    user_id: string(obj, 'user_id', where),
    action: optionalString(obj, 'action') ?? '',
    decision: decision(obj, where),
    reasons: reasons(obj.reasons, where),
    policy_path: optionalString(obj, 'policy_path') ?? '',
    policy_version: optionalString(obj, 'policy_version') ?? '',
    policy_engine: optionalString(obj, 'policy_engine') ?? '',
    input: obj.input ?? null,
    result: obj.result ?? null,
    error: optionalString(obj, 'error'),
    latency_ms: optionalNumber(obj, 'latency_ms') ?? 0,
    request_id: optionalString(obj, 'request_id'),
    client_address: optionalString(obj, 'client_address'),
    user_agent: optionalString(obj, 'user_agent'),
    gateway_instance: optionalString(obj, 'gateway_instance'),
  };
}

export function parseAuditPage(value: unknown): AuditPage {
  const obj = object(value, 'page');
  if (!Array.isArray(obj.entries)) throw new GatewayResponseError('page.entries is not an array');
  return {
    entries: obj.entries.map((entry, index) => parseAuditEntry(entry, `entries[${index}]`)),
    next_cursor: optionalString(obj, 'next_cursor'),
  };
}

export function parseEvaluateResult(value: unknown): EvaluateResult {
  const obj = object(value, 'result');
  const policy = isObject(obj.policy) ? obj.policy : {};
  const verdict = decision(obj, 'result');
  return {
    decision_id: string(obj, 'decision_id', 'result'),
    audit_id: optionalString(obj, 'audit_id'),
    allow: obj.allow === true,
    decision: verdict === 'allow' ? 'allow' : 'deny',
    reasons: reasons(obj.reasons, 'result'),
    policy: {
      path: optionalString(policy, 'path') ?? '',
      version: optionalString(policy, 'version') ?? '',
      engine: optionalString(policy, 'engine') ?? '',
    },
    latency_ms: optionalNumber(obj, 'latency_ms'),
  };
}

export function parseReadyStatus(value: unknown): ReadyStatus {
  const obj = object(value, 'ready');
  const store = isObject(obj.store) ? obj.store : {};
  const warnings = Array.isArray(obj.warnings)
    ? obj.warnings.filter((w): w is string => typeof w === 'string')
    : [];
  return {
    status: obj.status === 'ready' ? 'ready' : 'not_ready',
    store: {
      backend: optionalString(store, 'backend') ?? 'unknown',
      // Only an explicit `durable: false` raises the warning; a missing field is not evidence.
      durable: store.durable !== false,
      reachable: store.reachable !== false,
      schema: store.schema ?? null,
    },
    policy: obj.policy ?? null,
    warnings,
  };
}
