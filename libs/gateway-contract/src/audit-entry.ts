/**
 * An audit entry as the API shows it (`GET /governance/audit/{id}` and each item of a page):
 * the domain's `AuditLogEntry`, flat and snake_case. The property order here is the order of
 * the keys in the JSON the service sends.
 */
import { AUDIT_DECISIONS } from '@policy-gateway/governance-runtime';
import type { Static } from '@sinclair/typebox';
import * as Type from '@sinclair/typebox/type';
import { AuditChainLinkSchema } from './audit-chain-link.js';
import {
  AuditEntryMaskingSchema,
  SealedOriginalSchema,
  SealedOriginalStateSchema,
} from './audit-entry-privacy.js';
import { AuditShadowDecisionSchema } from './audit-entry-rollout.js';
import { AuditReasonSchema } from './audit-reason.js';
import { NullableString } from './nullable-string.js';
import { StringEnum } from './string-enum.js';
import { Uuid } from './string-formats.js';

export const AuditDecisionSchema = StringEnum(AUDIT_DECISIONS);

export const AuditEntrySchema = Type.Object({
  id: Uuid({ description: 'UUIDv7, time-ordered.' }),
  decision_id: Type.String(),
  occurred_at: Type.String({ description: 'RFC 3339 UTC with microseconds.' }),
  user_id: Type.String({
    description:
      "Whom the decision is about: the token's subject, or the user a service account named.",
  }),
  principal_id: NullableString({
    description:
      'Who asked for the decision: `key:<id>` (API key), `oidc:<subject>@<issuer>` (token) or `anonymous` (authentication off); null on entries written before principals were recorded.',
  }),
  action: Type.String({ description: 'What was decided on: `policy.evaluate`.' }),
  decision: AuditDecisionSchema,
  reasons: Type.Array(AuditReasonSchema),
  policy_path: Type.String(),
  policy_version: Type.String(),
  policy_engine: Type.String(),
  input: Type.Unknown({ description: 'The policy input as evaluated.' }),
  result: Type.Unknown({ description: 'The raw policy result; null when undefined or failed.' }),
  error: NullableString(),
  latency_ms: Type.Number(),
  request_id: NullableString({
    description: "The gateway's own id for the request, as in its `X-Request-Id` header.",
  }),
  client_request_id: NullableString({
    description: 'The `X-Request-Id` the client sent, when it was a sane token.',
  }),
  client_address: NullableString(),
  user_agent: NullableString(),
  gateway_instance: Type.String(),
  idempotency_key: NullableString({
    description:
      "The `Idempotency-Key` the client sent, if any; among one user_id's allow and deny entries, unique.",
  }),
  request_digest: NullableString({
    description:
      'With an idempotency key: a digest of the request (prompt, user_id, context) in canonical JSON: `hmac-sha256:` and its HMAC under the gateway audit HMAC key while masking is on (so that what was masked cannot be found again by hashing guesses), else `sha256:` and its SHA-256.',
  }),
  masking: Type.Union([AuditEntryMaskingSchema, Type.Null()], {
    description:
      'What a mask policy erased or overwrote and which spans of the prompt were redacted before the entry was stored; null when nothing was.',
  }),
  sealed_original: Type.Union([SealedOriginalSchema, Type.Null()], {
    description: 'The unmasked input, encrypted; null when nothing was masked or none was kept.',
  }),
  sealed_original_state: Type.Union([SealedOriginalStateSchema, Type.Null()], {
    description:
      "Whether the sealed original can still be opened: `erased` once the subject's key is destroyed. Told when the entry is served (the stored entry and its hash are unchanged by an erasure); null when there is no sealed original.",
  }),
  shadow: Type.Union([AuditShadowDecisionSchema, Type.Null()], {
    description:
      'What the candidate bundle running in shadow decided on the same request; null when none ran.',
  }),
  enforced: Type.Boolean({
    description:
      'False when the gateway ran in monitor mode: `decision` is what the policy decided, but the caller was answered allow. True (stored as absent, and so not hashed) otherwise.',
  }),
  chain: Type.Union([AuditChainLinkSchema, Type.Null()], {
    description:
      'Where the entry stands in its hash chain (tamper evidence); null for an entry written before the chain existed.',
  }),
});

export type AuditEntry = Static<typeof AuditEntrySchema>;
