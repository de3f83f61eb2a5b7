/**
 * How a route says that it reads the audit trail: `config: { accessLog: <RecordedRead> }`.
 * Every answer of such a route is recorded in the access log before it is sent
 * (`api/access-log-recording.ts`); the `RecordedRead` says which items a successful answer
 * carries, so that the record names them. A new read of the trail (export, proof, integrity)
 * opts in with that one line.
 */
import type {
  AccessLogPage,
  AuditEntry,
  AuditPage,
  ReplayChangesPage,
} from '@policy-gateway/gateway-contract';

export interface RecordedRead {
  /**
   * The ids of the items a successful (2xx) answer carries, in answer order, from the answer as
   * the handler returned it (or as JSON text, when it sent one). A streamed answer is not seen:
   * it is recorded with no items.
   */
  idsOf(payload: unknown): readonly string[];
  /**
   * Members of the request body recorded with the parameters, as sent: what a reader must
   * state to be let in (the reason for reading an original). Never a credential.
   */
  readonly bodyParameters?: readonly string[];
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** This route reads the audit trail: each answer is recorded in the access log first. */
    accessLog?: RecordedRead;
  }
}

/** `GET /governance/audit`: the entries of the page. */
export const AUDIT_PAGE_READ: RecordedRead = Object.freeze({
  idsOf: (payload: unknown) => (payload as AuditPage).entries.map((entry) => entry.id),
});

/** `GET /governance/audit/{id}`: the one entry. */
export const AUDIT_ENTRY_READ: RecordedRead = Object.freeze({
  idsOf: (payload: unknown) => [(payload as AuditEntry).id],
});

/** `GET /governance/access-log`: the records of the page. */
export const ACCESS_LOG_PAGE_READ: RecordedRead = Object.freeze({
  idsOf: (payload: unknown) => (payload as AccessLogPage).records.map((record) => record.id),
});

/** A read whose answer carries no items of the trail (an integrity summary, say). */
export const NO_ITEMS_READ: RecordedRead = Object.freeze({ idsOf: () => [] });

/** `GET /governance/replays/{id}/changes`: the audit entries whose decision would change. */
export const REPLAY_CHANGES_READ: RecordedRead = Object.freeze({
  idsOf: (payload: unknown) =>
    (payload as ReplayChangesPage).changes.map((change) => change.audit_id),
});
