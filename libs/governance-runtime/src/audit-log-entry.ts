/**
 * The audit domain: one record per policy decision the gateway made. Entries are
 * immutable facts; adapters store them verbatim and never rewrite them.
 */

import type { AuditChainLink } from './audit-chain-link.js';
import type { AuditEntryMasking } from './audit-entry-masking.js';
import type { AuditShadowDecision } from './audit-shadow-decision.js';
import type { SealedOriginal } from './sealed-original.js';

/**
 * The one spelling of the decisions an entry records. The HTTP contract
 * (`@policy-gateway/gateway-contract`), the service and the Workbench take theirs from here.
 */
export const AUDIT_DECISIONS = Object.freeze(['allow', 'deny', 'error'] as const);

export type AuditDecision = (typeof AUDIT_DECISIONS)[number];

export type ReasonSeverity = 'low' | 'medium' | 'high' | 'critical';

/** Why a policy decided as it did: one per violation found. */
export interface AuditReason {
  /** Stable machine-readable code, e.g. `secret.aws_access_key`. */
  readonly code: string;
  /** A sentence for a person. */
  readonly message: string;
  readonly severity: ReasonSeverity;
}

export interface AuditLogEntry {
  /** UUIDv7: time-ordered, so the id sorts like `occurredAt`. */
  readonly id: string;
  /** The decision's id as given to the caller (and OPA's own, when OPA made it). */
  readonly decisionId: string;
  /** RFC 3339 UTC with microseconds, e.g. `2026-11-28T07:18:50.123456Z`. */
  readonly occurredAt: string;
  /** Whom the decision is about: the token's subject, or the user a service account named. */
  readonly userId: string;
  /**
   * Who asked for the decision: the authenticated principal's id (`key:<id>`,
   * `oidc:<subject>@<issuer>`, `anonymous` when authentication is off); null on entries
   * written before principals were recorded.
   */
  readonly principalId: string | null;
  /** What was decided on, e.g. `policy.evaluate`. */
  readonly action: string;
  readonly decision: AuditDecision;
  readonly reasons: readonly AuditReason[];
  /** The policy's data path, e.g. `data.policy_gateway.decision`. */
  readonly policyPath: string;
  /** The policy bundle's version (a digest of its files for the embedded engine). */
  readonly policyVersion: string;
  /** Which engine decided: `embedded` or `opa`. */
  readonly policyEngine: string;
  /** The policy input exactly as evaluated (JSON). */
  readonly input: unknown;
  /** The raw policy result (JSON), or null when undefined or failed. */
  readonly result: unknown;
  /** Why the evaluation failed, when `decision` is `error`. */
  readonly error: string | null;
  /** Evaluation latency in milliseconds (microsecond precision). */
  readonly latencyMs: number;
  /** The gateway's own id for the request (a UUID), as in its `X-Request-Id` answer and logs. */
  readonly requestId: string | null;
  /** The `X-Request-Id` the client sent, when it was a sane token; never used as `requestId`. */
  readonly clientRequestId: string | null;
  readonly clientAddress: string | null;
  readonly userAgent: string | null;
  /** The gateway process that decided (host name and pid, or as configured). */
  readonly gatewayInstance: string;
  /**
   * The client's idempotency key (HTTP `Idempotency-Key`), null without one: 1 to 255
   * characters. Among a user's entries that decided (`allow` or `deny`), at most one has a
   * given key, which every adapter enforces; an entry whose decision is `error` keeps the key
   * it came with but does not hold it, so a retry after a failed evaluation decides anew.
   */
  readonly idempotencyKey: string | null;
  /**
   * A fingerprint of the request (the gateway's is `sha256:` and the hex SHA-256 of its policy
   * input in canonical JSON), so that a retry is told apart from another request reusing the
   * key. Set whenever `idempotencyKey` is.
   */
  readonly requestDigest: string | null;
  /**
   * What a mask policy erased or overwrote, and which spans of the prompt were redacted,
   * before the entry was stored (`input` and `result` are then the masked forms). Absent on
   * entries stored unmasked, which hash exactly as before masking existed.
   */
  readonly masking?: AuditEntryMasking;
  /**
   * The unmasked input, encrypted under the subject's data key; absent when nothing was
   * masked or no key-encryption key is configured. Hashed as stored (the ciphertext).
   */
  readonly sealedOriginal?: SealedOriginal;
  /**
   * What the candidate bundle running in shadow decided on the same request (shadow rollout):
   * recorded, never answered or enforced. Absent when no shadow ran; entries without it hash
   * exactly as before shadows existed.
   */
  readonly shadow?: AuditShadowDecision;
  /**
   * False when the gateway ran in monitor mode: `decision` is what the policy decided, but the
   * caller was answered allow whatever it was. Absent (never `true`) on an enforced decision,
   * so that entries of an enforcing gateway hash exactly as before monitor mode existed.
   */
  readonly enforced?: false;
  /**
   * Where the entry stands in its hash chain (tamper evidence), set by the chain decorator
   * on the write path and stored with the entry. Absent on entries written without one
   * (before tamper evidence, or on a write path that does not chain). Not itself hashed:
   * `entryHash` covers every other field.
   */
  readonly chain?: AuditChainLink;
}
