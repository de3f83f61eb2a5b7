/**
 * The one catalogue of errors the HTTP API answers with: a stable code, its status and a
 * message a person can act on. Every error response is `application/problem+json` built from
 * an entry here; README.md's error table is checked against this list.
 */

export interface CatalogueEntry {
  readonly status: number;
  readonly title: string;
  /** What the caller can do about it. */
  readonly description: string;
}

export const ERROR_CATALOGUE = Object.freeze({
  MALFORMED_JSON: {
    status: 400,
    title: 'Malformed JSON body',
    description: 'The request body is not valid JSON. Send a JSON object.',
  },
  EMPTY_BODY: {
    status: 400,
    title: 'Empty request body',
    description: 'The request has Content-Type application/json but no body. Send a JSON object.',
  },
  DUPLICATE_KEY: {
    status: 400,
    title: 'Duplicate key',
    description:
      'A key appears twice in one JSON object; `field` names it. Send each key once: parsers disagree on which one counts, so the policy might not see what another reader of the body would.',
  },
  BODY_TOO_DEEP: {
    status: 400,
    title: 'Body nested too deeply',
    description:
      'The body nests objects and arrays deeper than POLICY_GATEWAY_MAX_JSON_DEPTH; `field` says where. Flatten the `context`.',
  },
  NUMBER_OUT_OF_RANGE: {
    status: 400,
    title: 'Number out of range',
    description:
      'A number in the body is beyond what a double can hold (magnitude above about 1.8e308, such as `1e400`); `field` names it. Send such a value as a string.',
  },
  INVALID_FIELD: {
    status: 400,
    title: 'Invalid field',
    description:
      'A field is missing, empty, of the wrong type or unknown; `field` names it and `detail` says what is expected.',
  },
  INVALID_QUERY_PARAMETER: {
    status: 400,
    title: 'Invalid query parameter',
    description:
      'A query parameter is unknown, repeated or out of range; `field` names it and `detail` says what is accepted.',
  },
  BAD_REQUEST: {
    status: 400,
    title: 'Bad request',
    description:
      'The request is malformed at the HTTP level (e.g. a bad Content-Length); `detail` says how.',
  },
  INVALID_CURSOR: {
    status: 400,
    title: 'Invalid cursor',
    description:
      'The `cursor` was not issued by this gateway or was altered: cursors carry an HMAC under POLICY_GATEWAY_CURSOR_SECRET, so one issued by a gateway with another secret (or, without a configured secret, by another process or before a restart) is refused too. Use `next_cursor` from the previous page verbatim, or start again without `cursor`.',
  },
  INVALID_IDEMPOTENCY_KEY: {
    status: 400,
    title: 'Invalid idempotency key',
    description:
      'The `Idempotency-Key` header must be one value of 1 to 255 visible ASCII characters (no spaces), bare or in double quotes. Send a new UUID per request and the same one with each retry of it.',
  },
  INVALID_ID: {
    status: 400,
    title: 'Invalid audit entry id',
    description: 'Audit entry ids are UUIDs, as returned in `audit_id` and `id`.',
  },
  UNAUTHENTICATED: {
    status: 401,
    title: 'Authentication required',
    description:
      'No valid credentials: none were sent, or they were not accepted. Every refused credential (unknown, revoked or expired key; token with a bad signature, issuer or audience, or expired) gets the same answer, the reason going to the server log only. Send `Authorization: Bearer <API key or OIDC token>`.',
  },
  FORBIDDEN: {
    status: 403,
    title: 'Forbidden',
    description:
      "The credentials are valid but do not allow this request: the route needs a role the caller lacks (`detail` names it), or the evaluation names a `user_id` other than the token's subject. Ask for the role, or call as an identity that has it.",
  },
  NOT_FOUND: {
    status: 404,
    title: 'Not found',
    description: 'No route or audit entry matches the request.',
  },
  REQUEST_TIMEOUT: {
    status: 408,
    title: 'Request timeout',
    description:
      'The request was not received in time: its headers within POLICY_GATEWAY_HEADERS_TIMEOUT_MS, or all of it within POLICY_GATEWAY_REQUEST_TIMEOUT_MS. The connection is closed; send the request again, at once.',
  },
  PROOF_UNAVAILABLE: {
    status: 409,
    title: 'Proof not available',
    description:
      'No proof of this entry can be made now: no signed checkpoint covers it yet (ask again after the next one, POLICY_GATEWAY_AUDIT_CHECKPOINT_INTERVAL_MS), it was written before tamper evidence (no chain), or the checkpoint that covers it is more than 10,000 entries away.',
  },
  NO_SEALED_ORIGINAL: {
    status: 409,
    title: 'No sealed original',
    description:
      'This entry has no sealed original to read: nothing in it was masked (its input is the original), or it was stored with POLICY_GATEWAY_AUDIT_SEAL_ORIGINALS=off.',
  },
  ORIGINAL_UNREADABLE: {
    status: 409,
    title: 'Original unreadable',
    description:
      "The entry's sealed original does not open under its subject's data key: it was altered, or the key-encryption key (POLICY_GATEWAY_SUBJECT_KEK_FILE) is not the one it was sealed under. Run `policy-gateway audit verify`, and check the KEK.",
  },
  ERASURE_UNAVAILABLE: {
    status: 409,
    title: 'Erasure not available',
    description:
      'Subjects cannot be erased here: originals are not sealed (POLICY_GATEWAY_AUDIT_SEAL_ORIGINALS=off), so there is no data key to destroy, or the memory audit store keeps no record of an erasure.',
  },
  SUBJECT_ERASED: {
    status: 410,
    title: 'Subject erased',
    description:
      "The entry's subject was erased: its data key is destroyed, so nobody can read the original any more. The masked entry is still served by `GET /governance/audit/{id}`.",
  },
  BODY_TOO_LARGE: {
    status: 413,
    title: 'Request body too large',
    description: 'The body exceeds POLICY_GATEWAY_BODY_LIMIT_BYTES.',
  },
  PROMPT_TOO_LARGE: {
    status: 413,
    title: 'Prompt too large',
    description: 'The prompt exceeds POLICY_GATEWAY_MAX_PROMPT_BYTES (UTF-8 bytes).',
  },
  CONTEXT_TOO_LARGE: {
    status: 413,
    title: 'Context too large',
    description:
      'The `context`, written as compact JSON, exceeds POLICY_GATEWAY_MAX_CONTEXT_BYTES (UTF-8 bytes). Send only the facts the policy reads.',
  },
  BUNDLE_TOO_LARGE: {
    status: 413,
    title: 'Candidate bundle too large',
    description:
      'The candidate bundle of a replay (`POST /governance/replays`), decoded, exceeds the bytes a replay takes (8 MiB). Replay a smaller bundle, or run `policy-gateway replay` against the store.',
  },
  UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    title: 'Unsupported media type',
    description: 'Send the body with `Content-Type: application/json`.',
  },
  EXPECTATION_FAILED: {
    status: 417,
    title: 'Expectation failed',
    description:
      'The `Expect` header asks for something other than `100-continue`, the only expectation the gateway meets. Send the request without it.',
  },
  HOST_NOT_ALLOWED: {
    status: 421,
    title: 'Host not allowed',
    description:
      'The `Host` header names a host this gateway does not answer for (POLICY_GATEWAY_ALLOWED_HOSTS), as a page reaching it through a domain of its own would (DNS rebinding). Call it by one of the allowed names or by IP address, or add the name to POLICY_GATEWAY_ALLOWED_HOSTS.',
  },
  HEADERS_TOO_LARGE: {
    status: 431,
    title: 'Request headers too large',
    description:
      'The request line and headers exceed 16 KiB together. The connection is closed; send fewer or shorter headers.',
  },
  IDEMPOTENCY_KEY_REUSED: {
    status: 422,
    title: 'Idempotency key reused',
    description:
      'This `user_id` already has a decision recorded under this `Idempotency-Key` for a different request (prompt, user_id or context). Nothing was evaluated or recorded. Retry only with the very same body; a new request needs a new key.',
  },
  INVALID_BUNDLE: {
    status: 422,
    title: 'Candidate bundle unusable',
    description:
      'The candidate bundle of a replay is not a readable `.tar.gz` bundle, does not compile (`detail` names `file:line:col`), or names a bundle the gateway does not have (no POLICY_GATEWAY_SHADOW_BUNDLE_DIR). Nothing was replayed.',
  },
  POLICY_EVALUATION_FAILED: {
    status: 503,
    title: 'Policy evaluation failed',
    description:
      'The policy engine could not decide (OPA unreachable, undefined result, policy error). The failure was recorded in the audit trail; treat it as a denial and retry later.',
  },
  AUDIT_STORE_UNAVAILABLE: {
    status: 503,
    title: 'Audit store unavailable',
    description:
      'The audit store could not be read or could not commit the decision, so no decision is returned (fail-closed). Check /ready and retry.',
  },
  AUDIT_COMMIT_UNKNOWN: {
    status: 503,
    title: 'Audit commit unknown',
    description:
      'The audit store did not say whether the decision was committed, and the gateway could not find out in time, so no decision is returned (fail-closed). Retry with the same `Idempotency-Key`: the retry answers the recorded decision, if there is one, instead of recording a second. Without a key, `GET /governance/audit/{audit_id}` shows whether it was recorded.',
  },
  AUDIT_QUEUE_FULL: {
    status: 503,
    title: 'Audit queue full',
    description:
      'The audit store is not keeping up: as many decisions as the gateway lets wait for their commit are already waiting (POLICY_GATEWAY_AUDIT_QUEUE_MAX_ENTRIES). Nothing was recorded and no decision is returned (fail-closed); retry after the `Retry-After` seconds, or against another replica. If it persists, check the database (/ready) or raise the limit.',
  },
  AUTHENTICATION_UNAVAILABLE: {
    status: 503,
    title: 'Authentication unavailable',
    description:
      'The gateway could not check the credentials: the database holding the API keys, or the identity provider serving the token signing keys, did not answer. Nothing was done; retry later.',
  },
  ACCESS_LOG_UNAVAILABLE: {
    status: 503,
    title: 'Access log unavailable',
    description:
      'Every read of the audit trail is recorded in the access log before it is answered; this one could not be recorded, so nothing of the trail is returned (fail-closed). Check /ready and retry.',
  },
  TOO_MANY_EVALUATIONS: {
    status: 503,
    title: 'Too many evaluations',
    description:
      'The gateway is already running or queueing as many evaluations as it admits, in total (POLICY_GATEWAY_EVAL_QUEUE_LIMIT) or for this client address (POLICY_GATEWAY_EVAL_PER_CLIENT_LIMIT). Nothing was evaluated or recorded; retry after the `Retry-After` seconds.',
  },
  TOO_MANY_AUDIT_STREAMS: {
    status: 429,
    title: 'Too many live tails',
    description:
      'This principal already has as many live tails of the audit trail (`GET /governance/audit/stream`) open as one may; close one (another tab, a stale client) or retry after the `Retry-After` seconds. Polling the list works meanwhile.',
  },
  TOO_MANY_REPLAYS: {
    status: 429,
    title: 'Too many replays',
    description:
      'This gateway already runs as many replays as it admits at once (2), so that replays never starve the decisions it serves; retry after the `Retry-After` seconds, when one has finished.',
  },
  AUDIT_STREAMS_FULL: {
    status: 503,
    title: 'Live tails full',
    description:
      'This gateway serves as many live tails of the audit trail as it admits; retry after the `Retry-After` seconds or against another replica. Polling the list works meanwhile.',
  },
  METRICS_UNAVAILABLE: {
    status: 503,
    title: 'Metrics unavailable',
    description:
      'A worker did not send its metrics to the primary in time (it was starting, stopping or busy); nothing is lost, the next scrape asks again.',
  },
  SHUTTING_DOWN: {
    status: 503,
    title: 'Shutting down',
    description: 'This gateway is stopping; retry against another replica.',
  },
  INTERNAL_ERROR: {
    status: 500,
    title: 'Internal error',
    description: 'An unexpected error; the log has the details under the request id.',
  },
} satisfies Record<string, CatalogueEntry>);

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/**
 * The `type` URI of a problem. A URN rather than a URL because nothing is served there; the
 * code is documented in README.md's error table.
 */
export function problemType(code: ErrorCode): string {
  return `urn:policy-gateway:problem:${code.toLowerCase().replaceAll('_', '-')}`;
}
