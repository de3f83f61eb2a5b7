/**
 * Builds the audit entry of one decision an OPA server made and reported in its decision log
 * (`POST /logs`), in the same entry type as the gateway's own decisions, under the action
 * `opa.decision_log` and engine `opa`, with the OPA instance (`labels.id`) as the instance
 * that decided. Its id is derived from the event's `decision_id` and time, so the same event
 * uploaded again (OPA retries a batch it got no 2xx for) is a duplicate the store refuses.
 */
import { type AuditLogEntry, auditLogEntryIdOf } from '@policy-gateway/governance-runtime';
import { documentRef } from '../policy/data-document.js';
import { decisionOf } from './data-api-audit-entry.js';
import type { DecisionLogEvent } from './decision-log-event.js';

export const DECISION_LOG_ACTION = 'opa.decision_log';

/** The engine recorded for decisions ingested from OPA. */
export const DECISION_LOG_ENGINE = 'opa';

/** Who sent the upload, and which of the gateway's requests carried it. */
export interface DecisionLogUpload {
  readonly principalId: string;
  /** Whom entries are about when the input names no `user_id`: the uploader. */
  readonly defaultUserId: string;
  readonly requestId: string;
}

export function decisionLogAuditEntry(
  event: DecisionLogEvent,
  upload: DecisionLogUpload,
): AuditLogEntry {
  const policyPath = event.path === undefined ? (event.query ?? '') : refOf(event.path);
  const failed = event.error !== undefined && event.error !== null;
  const { decision, reasons } = failed
    ? ({ decision: 'error', reasons: [] } as const)
    : decisionOf(
        event.result === undefined
          ? { kind: 'undefined', latencyMs: event.latencyMs }
          : { kind: 'defined', result: event.result, latencyMs: event.latencyMs },
        policyPath,
      );
  const masked = event.erased.length > 0 || event.masked.length > 0;
  return {
    id: auditLogEntryIdOf(Date.parse(event.occurredAt), `opa-decision:${event.decisionId}`),
    decisionId: event.decisionId,
    occurredAt: event.occurredAt,
    userId: userIdOf(event.input) ?? upload.defaultUserId,
    principalId: upload.principalId,
    action: DECISION_LOG_ACTION,
    decision,
    reasons,
    policyPath,
    policyVersion: versionOf(event.bundles),
    policyEngine: DECISION_LOG_ENGINE,
    input: event.input ?? null,
    result: event.result ?? null,
    error: failed ? JSON.stringify(event.error) : null,
    latencyMs: event.latencyMs,
    requestId: upload.requestId,
    clientRequestId: null,
    clientAddress: event.requestedBy,
    userAgent: null,
    gatewayInstance: event.instanceId,
    idempotencyKey: null,
    requestDigest: null,
    ...(masked && { masking: { erased: event.erased, masked: event.masked, redacted: [] } }),
  };
}

/** OPA's slash path (`authz/allow`) as the Rego reference entries record (`data.authz.allow`). */
function refOf(path: string): string {
  return documentRef(path.split('/').filter((segment) => segment !== ''));
}

/** One bundle: its revision; several: `name@revision` each, by name; none: `unknown`. */
function versionOf(bundles: DecisionLogEvent['bundles']): string {
  if (bundles.length === 0) return 'unknown';
  if (bundles.length === 1) return bundles[0]!.revision;
  return [...bundles]
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .map((bundle) => `${bundle.name}@${bundle.revision}`)
    .join(',');
}

function userIdOf(input: unknown): string | undefined {
  if (typeof input !== 'object' || input === null) return undefined;
  const named = (input as { user_id?: unknown }).user_id;
  return typeof named === 'string' && named !== '' ? named : undefined;
}
