/**
 * The access log: one record per answer the gateway gave to a read of the audit trail (a
 * page of entries, one entry, and later an export, a proof or an integrity check), including
 * reads of the access log itself. Audit data is personal data and secrets; who looked at it,
 * when, from where, with which filters, and what they were shown is what PCI DSS 10.2.1.1 and
 * CloudTrail's data events record. Records are immutable facts, like audit entries.
 */

/** Most entry ids one record lists: the largest page any audited route answers. */
export const ACCESS_LOG_MAX_ENTRY_IDS = 1000;

export interface AccessLogRecord {
  /** UUIDv7 (`newAuditLogEntryId`): time-ordered, so the id sorts like `occurredAt`. */
  readonly id: string;
  /** When the answer was recorded, just before it was sent: RFC 3339 UTC with microseconds. */
  readonly occurredAt: string;
  /**
   * Who read: the principal's stable id (`key:<id>`, `oidc:<sub>@<issuer>`, or `anonymous`
   * when authentication is off).
   */
  readonly principalId: string;
  /** The HTTP method, e.g. `GET`. */
  readonly method: string;
  /** The route as declared, not the URL: `/governance/audit/:id`. */
  readonly route: string;
  /**
   * What was asked, as a JSON object: the path parameters and the query string as the client
   * sent them, except secrets (a cursor is recorded as `true`, not verbatim).
   */
  readonly parameters: Readonly<Record<string, unknown>>;
  /** The HTTP status of the answer (200, 400, 403, 404, …). */
  readonly status: number;
  /** How many items the answer carried (audit entries, or access-log records); 0 on errors. */
  readonly entryCount: number;
  /**
   * The ids of the items the answer carried, in answer order, at most
   * `ACCESS_LOG_MAX_ENTRY_IDS`: which audit entries were seen, so that "who read this entry?"
   * has an answer (`AccessLogQuery.entryId`).
   */
  readonly entryIds: readonly string[];
  /** The gateway's own id for the request, as in its `X-Request-Id` answer and logs. */
  readonly requestId: string | null;
  /** The `X-Request-Id` the client sent, when it was a sane token. */
  readonly clientRequestId: string | null;
  readonly clientAddress: string | null;
  readonly userAgent: string | null;
  /** The gateway process that answered. */
  readonly gatewayInstance: string;
}
