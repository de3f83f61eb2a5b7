/**
 * The one check every adapter runs before storing an entry, and the canonical form it
 * stores: lower-case id, canonical timestamp, and JSON values as PostgreSQL's `jsonb`
 * will give them back. Sharing it is what keeps the memory store and PostgreSQL from
 * drifting apart.
 */
import { type AuditChainLink, CHAIN_HASH_PATTERN } from './audit-chain-link.js';
import { AUDIT_DECISIONS, type AuditLogEntry } from './audit-log-entry.js';
import type { AuditShadowDecision } from './audit-shadow-decision.js';
import { toCanonicalAuditTimestamp } from './audit-timestamp.js';
import { isHandedOverJson } from './handed-over-json.js';
import { InvalidAuditLogEntryError } from './invalid-audit-log-entry-error.js';
import { isAuditLogEntryId } from './new-audit-log-entry-id.js';
import { findUnstorableString, UNSTORABLE_STRING_REASON } from './unstorable-string.js';

/**
 * Validates `entry` and returns the canonical copy to store.
 *
 * JSON fields (`input`, `result`, `reasons`) are copied through `JSON.stringify`, as a
 * database would: `undefined` members vanish, `NaN`/`Infinity` become `null`. Every JS
 * number survives exactly (jsonb keeps the decimal text JSON.stringify writes); an
 * integer above 2^53 in a request was already rounded when the body was parsed into a
 * number, and a BigInt or a cycle is refused, since JSON cannot carry them. Strings
 * containing U+0000 or unpaired surrogates are refused: PostgreSQL cannot store the
 * former and would alter the latter. A value its writer handed over (`handOverJson`: made by
 * it from JSON, held by nothing else) is stored as it is, its strings checked all the same.
 *
 * @throws InvalidAuditLogEntryError
 */
export function toStorableAuditLogEntry(entry: AuditLogEntry): AuditLogEntry {
  const id = entry.id.toLowerCase();
  if (!isAuditLogEntryId(id)) {
    throw new InvalidAuditLogEntryError('id', 'must be a UUID (UUIDv7 from newAuditLogEntryId)');
  }
  const occurredAt = toCanonicalAuditTimestamp(entry.occurredAt);
  if (occurredAt === null) {
    throw new InvalidAuditLogEntryError('occurredAt', 'must be an RFC 3339 date-time');
  }
  if (!AUDIT_DECISIONS.includes(entry.decision)) {
    throw new InvalidAuditLogEntryError('decision', `must be one of ${AUDIT_DECISIONS.join(', ')}`);
  }
  if (!Array.isArray(entry.reasons)) {
    throw new InvalidAuditLogEntryError('reasons', 'must be an array');
  }
  if (!Number.isFinite(entry.latencyMs) || entry.latencyMs < 0) {
    throw new InvalidAuditLogEntryError('latencyMs', 'must be a finite number ≥ 0');
  }
  checkIdempotencyKey(entry);
  if (entry.enforced !== undefined && entry.enforced !== false) {
    // `true` is said by leaving the member out, so that enforced entries keep their old hash.
    throw new InvalidAuditLogEntryError('enforced', 'must be false or absent');
  }
  if (
    entry.principalId !== null &&
    entry.principalId !== undefined &&
    (typeof entry.principalId !== 'string' || entry.principalId.length === 0)
  ) {
    throw new InvalidAuditLogEntryError('principalId', 'must be null or a non-empty string');
  }
  const stored: Mutable<AuditLogEntry> = {
    id,
    decisionId: entry.decisionId,
    occurredAt,
    userId: entry.userId,
    principalId: entry.principalId ?? null,
    action: entry.action,
    decision: entry.decision,
    reasons: copyJson('reasons', entry.reasons) as AuditLogEntry['reasons'],
    policyPath: entry.policyPath,
    policyVersion: entry.policyVersion,
    policyEngine: entry.policyEngine,
    input: storedJson('input', entry.input) ?? null,
    result: copyJson('result', entry.result) ?? null,
    error: entry.error,
    latencyMs: entry.latencyMs,
    requestId: entry.requestId,
    clientRequestId: entry.clientRequestId,
    clientAddress: entry.clientAddress,
    userAgent: entry.userAgent,
    gatewayInstance: entry.gatewayInstance,
    idempotencyKey: entry.idempotencyKey,
    requestDigest: entry.requestDigest,
  };
  // Privacy and rollout fields only when present: an entry without them keeps the shape, and
  // the hash, it had before they existed. Assigned rather than spread in: spreading the
  // common fields into a second object cost about 6 µs per masked entry.
  if (entry.masking !== undefined) {
    stored.masking = storedJson('masking', entry.masking) as AuditLogEntry['masking'];
  }
  if (entry.sealedOriginal !== undefined) {
    stored.sealedOriginal = storedJson(
      'sealedOriginal',
      entry.sealedOriginal,
    ) as AuditLogEntry['sealedOriginal'];
  }
  if (entry.shadow !== undefined) stored.shadow = checkedShadow(entry.shadow);
  if (entry.enforced === false) stored.enforced = false;
  for (const [field, value] of Object.entries(stored)) {
    checkStrings(value, field);
  }
  if (entry.chain !== undefined) return { ...stored, chain: checkedChainLink(entry.chain) };
  return stored;
}

/** An entry under construction: its fields are set once, then it is handed out read-only. */
type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Longest idempotency key stored, as the IETF draft's examples and most APIs bound it. */
const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

function checkIdempotencyKey(entry: AuditLogEntry): void {
  const key = entry.idempotencyKey;
  if (key === null) return;
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
    throw new InvalidAuditLogEntryError(
      'idempotencyKey',
      `must be null or 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters`,
    );
  }
  if (typeof entry.requestDigest !== 'string' || entry.requestDigest.length === 0) {
    // Without it a retry could not be told from another request that reuses the key.
    throw new InvalidAuditLogEntryError('requestDigest', 'must be set with an idempotencyKey');
  }
}

/** A JSON copy of the shadow decision, its decision and latency checked as the entry's are. */
function checkedShadow(shadow: AuditShadowDecision): AuditShadowDecision {
  if (!AUDIT_DECISIONS.includes(shadow.decision)) {
    throw new InvalidAuditLogEntryError(
      'shadow.decision',
      `must be one of ${AUDIT_DECISIONS.join(', ')}`,
    );
  }
  if (!Array.isArray(shadow.reasons)) {
    throw new InvalidAuditLogEntryError('shadow.reasons', 'must be an array');
  }
  if (typeof shadow.policy_version !== 'string' || shadow.policy_version.length === 0) {
    throw new InvalidAuditLogEntryError('shadow.policy_version', 'must be a non-empty string');
  }
  if (!Number.isFinite(shadow.latency_ms) || shadow.latency_ms < 0) {
    throw new InvalidAuditLogEntryError('shadow.latency_ms', 'must be a finite number ≥ 0');
  }
  if (shadow.error !== null && typeof shadow.error !== 'string') {
    throw new InvalidAuditLogEntryError('shadow.error', 'must be null or a string');
  }
  return copyJson('shadow', {
    decision: shadow.decision,
    reasons: shadow.reasons,
    policy_version: shadow.policy_version,
    latency_ms: shadow.latency_ms,
    error: shadow.error,
  }) as AuditShadowDecision;
}

/** A copy of the link with every member checked: lower-case UUID, seq ≥ 1, hex digests. */
function checkedChainLink(link: AuditChainLink): AuditChainLink {
  const chainId = typeof link.chainId === 'string' ? link.chainId.toLowerCase() : '';
  if (!isAuditLogEntryId(chainId)) {
    throw new InvalidAuditLogEntryError('chain.chainId', 'must be a UUID');
  }
  if (!Number.isSafeInteger(link.seq) || link.seq < 1) {
    throw new InvalidAuditLogEntryError('chain.seq', 'must be an integer ≥ 1');
  }
  for (const field of ['prevHash', 'entryHash'] as const) {
    if (typeof link[field] !== 'string' || !CHAIN_HASH_PATTERN.test(link[field])) {
      throw new InvalidAuditLogEntryError(`chain.${field}`, 'must be 64 lower-case hex digits');
    }
  }
  return { chainId, seq: link.seq, prevHash: link.prevHash, entryHash: link.entryHash };
}

/** `value` as it is when handed over (`handOverJson`), else `copyJson`'s copy. */
function storedJson(field: string, value: unknown): unknown {
  return isHandedOverJson(value) ? value : copyJson(field, value);
}

function copyJson(field: string, value: unknown): unknown {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    // A BigInt or a cycle: JSON cannot carry it, so no adapter could store it.
    throw new InvalidAuditLogEntryError(field, `is not JSON: ${(error as Error).message}`);
  }
  return text === undefined ? undefined : JSON.parse(text);
}

function checkStrings(value: unknown, field: string): void {
  const place = findUnstorableString(value, field);
  if (place !== undefined) throw new InvalidAuditLogEntryError(place, UNSTORABLE_STRING_REASON);
}
