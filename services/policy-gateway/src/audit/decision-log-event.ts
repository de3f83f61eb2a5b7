/**
 * One event of an OPA decision-log upload (what OPA's `decision_logs` plugin POSTs: a gzip
 * JSON array of these), checked at the boundary: the members the trail records must be there
 * and of the right type, or the event is refused with the member named, so that a batch is
 * stored whole or not at all. Members the trail does not record (`metrics` beyond the timers,
 * `nd_builtin_cache`, `req_id`, …) are accepted as OPA sends them and not checked.
 */
import { toCanonicalAuditTimestamp } from '@policy-gateway/governance-runtime';

export interface DecisionLogEvent {
  readonly decisionId: string;
  /** Canonical audit timestamp of OPA's `timestamp`. */
  readonly occurredAt: string;
  /** The OPA instance that decided (`labels.id`). */
  readonly instanceId: string;
  /** `data.`-less slash path (`authz/allow`) of a Data API decision; absent for an ad-hoc query. */
  readonly path: string | undefined;
  /** The ad-hoc query (`POST /v1/query`), when there was no `path`. */
  readonly query: string | undefined;
  readonly input: unknown;
  /** undefined when the decision was undefined (OPA leaves `result` out). */
  readonly result: unknown;
  /** OPA's `error` member, when the evaluation failed. */
  readonly error: unknown;
  /** `bundles`: each bundle's name and revision. */
  readonly bundles: ReadonlyArray<{ readonly name: string; readonly revision: string }>;
  readonly requestedBy: string | null;
  /** OPA's server handler time, else its evaluation time, in milliseconds; 0 when not sent. */
  readonly latencyMs: number;
  readonly erased: readonly string[];
  readonly masked: readonly string[];
}

/** An event that cannot be recorded: `field` is its place in the batch, e.g. `[2].timestamp`. */
export class DecisionLogEventError extends Error {
  override readonly name = 'DecisionLogEventError';
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field} ${reason}`);
  }
}

/**
 * Checks the event at `index` of the batch.
 *
 * @throws DecisionLogEventError naming the member that is missing or of the wrong type.
 */
export function parseDecisionLogEvent(value: unknown, index: number): DecisionLogEvent {
  const at = (member: string) => `[${index}]${member === '' ? '' : `.${member}`}`;
  const fail = (member: string, reason: string): never => {
    throw new DecisionLogEventError(at(member), reason);
  };
  if (!isRecord(value)) return fail('', 'must be an object (one decision-log event)');
  const decisionId = value.decision_id;
  if (typeof decisionId !== 'string' || decisionId === '' || decisionId.length > 255) {
    fail('decision_id', 'must be a string of 1 to 255 characters');
  }
  const timestamp = value.timestamp;
  const occurredAt = typeof timestamp === 'string' ? toCanonicalAuditTimestamp(timestamp) : null;
  if (occurredAt === null) fail('timestamp', 'must be an RFC 3339 date-time');
  const labels = value.labels;
  if (!isRecord(labels)) return fail('labels', 'must be an object with the OPA instance id');
  if (typeof labels.id !== 'string' || labels.id === '') {
    fail('labels.id', 'must be a non-empty string (the OPA instance id)');
  }
  const path = optionalString(value, 'path', fail);
  const query = optionalString(value, 'query', fail);
  if (path === undefined && query === undefined) fail('path', 'must be a string (or give query)');
  return {
    decisionId: decisionId as string,
    occurredAt: occurredAt as string,
    instanceId: labels.id as string,
    path,
    query,
    input: value.input,
    result: value.result,
    error: value.error,
    bundles: bundlesOf(value.bundles, fail),
    requestedBy: optionalString(value, 'requested_by', fail) ?? null,
    latencyMs: latencyOf(value.metrics),
    erased: pointers(value, 'erased', fail),
    masked: pointers(value, 'masked', fail),
  };
}

type Fail = (member: string, reason: string) => never;

function optionalString(record: Record<string, unknown>, member: string, fail: Fail) {
  const value = record[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') return fail(member, 'must be a string');
  return value;
}

function bundlesOf(value: unknown, fail: Fail): DecisionLogEvent['bundles'] {
  if (value === undefined || value === null) return [];
  if (!isRecord(value)) return fail('bundles', 'must be an object of {"revision": …} by name');
  return Object.entries(value).map(([name, bundle]) => {
    const revision = isRecord(bundle) ? bundle.revision : undefined;
    if (revision !== undefined && typeof revision !== 'string') {
      fail(`bundles.${name}.revision`, 'must be a string');
    }
    return { name, revision: revision ?? '' };
  });
}

function pointers(record: Record<string, unknown>, member: string, fail: Fail): string[] {
  const value = record[member];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((pointer) => typeof pointer === 'string')) {
    return fail(member, 'must be an array of JSON pointers (strings)');
  }
  return value;
}

function latencyOf(metrics: unknown): number {
  if (!isRecord(metrics)) return 0;
  const ns = metrics.timer_server_handler_ns ?? metrics.timer_rego_query_eval_ns;
  return typeof ns === 'number' && Number.isFinite(ns) && ns >= 0 ? ns / 1e6 : 0;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
