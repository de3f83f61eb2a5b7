/**
 * `GET /governance/audit/integrity`: the last verification of the audit trail's hash chains
 * and signed checkpoints (the same verifier as `policy-gateway audit verify`), whether one is
 * running, and the heads of the chains it saw. Problems are named as the verifier names them:
 * the first of each kind, with counts of all.
 */
import { AUDIT_TRAIL_PROBLEM_KINDS } from '@policy-gateway/governance-runtime';
import type { Static } from '@sinclair/typebox';
import * as Type from '@sinclair/typebox/type';
import { NullableString } from './nullable-string.js';
import { StringEnum } from './string-enum.js';
import { DateTime, Uuid } from './string-formats.js';

export const AuditTrailProblemKindSchema = StringEnum(AUDIT_TRAIL_PROBLEM_KINDS, {
  description:
    'altered, missing, inserted, reordered, truncated, bad-signature, unknown-key: failures; unsealed-tail, unchained: warnings.',
});

export const AuditTrailProblemSchema = Type.Object({
  kind: AuditTrailProblemKindSchema,
  entry_id: NullableString({ description: 'The entry at fault, when one is.' }),
  chain_id: NullableString(),
  seq: Type.Union([Type.Integer(), Type.Null()]),
  checkpoint_id: NullableString({ description: 'The checkpoint at fault or that shows it.' }),
  message: Type.String({ description: 'What is wrong and where, for a person.' }),
});

export const AuditChainHeadSchema = Type.Object({
  chain_id: Uuid(),
  seq: Type.Integer({ minimum: 1, description: 'The last entry present.' }),
  entry_hash: Type.String(),
  entry_id: Uuid(),
  checkpoint_seq: Type.Union([Type.Integer(), Type.Null()], {
    description: "The newest checkpoint's seq; null without one.",
  }),
  final: Type.Boolean({ description: 'Closed by its writer with a final checkpoint.' }),
});

export const AuditChainRetentionSchema = Type.Object({
  chain_id: Uuid(),
  removed_through_seq: Type.Integer({
    minimum: 1,
    description: 'Seqs 1 to this went with expired partitions, as a valid signed record says.',
  }),
  removed_at: DateTime(),
  partition: Type.String({ description: 'The partition the record names.' }),
  record_id: Uuid(),
  verified_through_seq: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()], {
    description: 'The last seq verified after the cut; null when retention removed every entry.',
  }),
});

export const AuditVerificationScopeSchema = StringEnum(['full', 'incremental'] as const, {
  description:
    '`full`: the whole trail; `incremental`: the entries written since `since`, walked from the signed checkpoint before them (what scheduled runs do between full ones).',
});

export const AuditVerificationSchema = Type.Object({
  scope: Type.Optional(AuditVerificationScopeSchema),
  since: Type.Optional(
    Type.Union([DateTime(), Type.Null()], {
      description: 'Where an incremental verification began; null for a full one.',
    }),
  ),
  started_at: DateTime(),
  finished_at: DateTime(),
  entries_checked: Type.Integer({ minimum: 0 }),
  chains: Type.Integer({ minimum: 0 }),
  checkpoints: Type.Integer({ minimum: 0 }),
  intact: Type.Boolean({ description: 'No failure found (warnings allowed).' }),
  problems: Type.Array(AuditTrailProblemSchema, {
    description: 'The first problem of each kind found.',
  }),
  problem_counts: Type.Record(Type.String(), Type.Integer({ minimum: 1 })),
  failed_entry_ids: Type.Array(Uuid(), {
    description: 'Entries found at fault (at most 1,000), so that a reader can mark them.',
  }),
  failed_entry_ids_truncated: Type.Boolean(),
  heads: Type.Array(AuditChainHeadSchema, { description: 'Newest chains first, at most 100.' }),
  retention: Type.Array(AuditChainRetentionSchema, {
    description: 'Chains whose start retention removed, in chain id order, at most 100.',
  }),
  entries_removed_by_retention: Type.Integer({ minimum: 0 }),
});

export const AuditIntegritySchema = Type.Object({
  available: Type.Boolean({
    description:
      'False where the store keeps no hash chain to verify (one opened without tamper evidence, as the commands open one); every store serve opens, the memory store included, is verifiable.',
  }),
  running: Type.Boolean({ description: 'A verification is in progress.' }),
  progress: Type.Union([
    Type.Object({
      entries_checked: Type.Integer({ minimum: 0 }),
      total_entries: Type.Integer({ minimum: 0 }),
    }),
    Type.Null(),
  ]),
  last: Type.Union([AuditVerificationSchema, Type.Null()], {
    description: 'The last finished verification, null before the first.',
  }),
  last_error: NullableString({ description: 'Why the last verification could not finish.' }),
  running_scope: Type.Optional(AuditVerificationScopeSchema),
  schedule: Type.Optional(
    Type.Union(
      [
        Type.Object({
          interval_seconds: Type.Integer({ minimum: 1 }),
          full_interval_seconds: Type.Integer({ minimum: 1 }),
          next_at: Type.Union([DateTime(), Type.Null()], {
            description: 'When the next scheduled verification starts.',
          }),
          next_scope: AuditVerificationScopeSchema,
        }),
        Type.Null(),
      ],
      {
        description:
          'The gateway verifying its trail on a schedule (POLICY_GATEWAY_AUDIT_VERIFY_INTERVAL_SECONDS); null when it does not.',
      },
    ),
  ),
});

export type AuditTrailProblemJson = Static<typeof AuditTrailProblemSchema>;
export type AuditChainHeadJson = Static<typeof AuditChainHeadSchema>;
export type AuditChainRetentionJson = Static<typeof AuditChainRetentionSchema>;
export type AuditVerificationJson = Static<typeof AuditVerificationSchema>;
export type AuditIntegrity = Static<typeof AuditIntegritySchema>;
