/**
 * Replay (impact analysis, issue 17): `POST /governance/replays` re-evaluates recorded
 * decisions under a candidate bundle, in the background; `GET /governance/replays/{id}` reports
 * its progress and how many decisions would change, by transition; `GET
 * /governance/replays/{id}/changes` lists the changed entries with both results.
 */
import type { Static } from '@sinclair/typebox';
import * as Type from '@sinclair/typebox/type';
import { AuditDecisionSchema } from './audit-entry.js';
import { AuditReasonSchema } from './audit-reason.js';
import { NullableString } from './nullable-string.js';
import { StringEnum } from './string-enum.js';
import { DateTime, Uuid } from './string-formats.js';

/** Bundles the gateway knows: the active one and the shadow (POLICY_GATEWAY_SHADOW_BUNDLE_DIR). */
export const REPLAY_KNOWN_BUNDLES = Object.freeze(['active', 'shadow'] as const);

export type ReplayKnownBundle = (typeof REPLAY_KNOWN_BUNDLES)[number];

/**
 * How a decision changed: the candidate denies what was allowed, allows what was denied, decides
 * the same with other reasons, or one of the two is an error where the other is not.
 */
export const REPLAY_TRANSITIONS = Object.freeze([
  'allow_to_deny',
  'deny_to_allow',
  'reasons_changed',
  'error',
] as const);

export type ReplayTransition = (typeof REPLAY_TRANSITIONS)[number];

export const REPLAY_STATUSES = Object.freeze([
  'running',
  'completed',
  'failed',
  'truncated',
] as const);

export type ReplayStatus = (typeof REPLAY_STATUSES)[number];

/** Entries one replay may re-evaluate, and the default. */
export const REPLAY_MAX_ENTRIES = 100_000;

export const ReplayFiltersSchema = Type.Object(
  {
    since: Type.Optional(DateTime({ description: 'Inclusive lower bound on `occurred_at`.' })),
    until: Type.Optional(DateTime({ description: 'Exclusive upper bound on `occurred_at`.' })),
    user_id: Type.Optional(Type.String({ minLength: 1 })),
    decision: Type.Optional(AuditDecisionSchema),
    gateway_instance: Type.Optional(Type.String({ minLength: 1 })),
  },
  { additionalProperties: false },
);

export type ReplayFilters = Static<typeof ReplayFiltersSchema>;

export const ReplayRequestSchema = Type.Object(
  {
    bundle: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          'The candidate bundle: a `.tar.gz` as `opa build` writes it, base64-encoded. Give this or `known_bundle`.',
      }),
    ),
    known_bundle: Type.Optional(
      StringEnum(REPLAY_KNOWN_BUNDLES, {
        description:
          'A bundle the gateway runs: `active` (POLICY_GATEWAY_POLICY_BUNDLE_DIR) or `shadow` (POLICY_GATEWAY_SHADOW_BUNDLE_DIR).',
      }),
    ),
    filters: Type.Optional(ReplayFiltersSchema),
    max_entries: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: REPLAY_MAX_ENTRIES,
        description: `Entries to re-evaluate at most, newest first; ${REPLAY_MAX_ENTRIES.toLocaleString('en')} when omitted. A replay that stops there is \`truncated\`.`,
      }),
    ),
  },
  { additionalProperties: false },
);

export type ReplayRequest = Static<typeof ReplayRequestSchema>;

const Count = Type.Integer({ minimum: 0 });

export const ReplaySummarySchema = Type.Object({
  evaluated: Count,
  changed: Count,
  unchanged: Count,
  /** Entries that are not a prompt decision (Data API queries, uploads of OPA): not replayed. */
  skipped: Count,
  masked: Type.Integer({
    minimum: 0,
    description: 'Replayed entries whose stored input was masked or erased.',
  }),
  by_transition: Type.Object({
    allow_to_deny: Count,
    deny_to_allow: Count,
    reasons_changed: Count,
    error: Count,
  }),
});

export type ReplaySummary = Static<typeof ReplaySummarySchema>;

export const ReplaySchema = Type.Object({
  id: Uuid(),
  status: StringEnum(REPLAY_STATUSES),
  requested_by: Type.String({ description: 'The principal that started it.' }),
  requested_at: DateTime(),
  finished_at: NullableString({ format: 'date-time' }),
  candidate: Type.Object({
    source: Type.String({
      description: '`upload`, `active`, `shadow`, or `file` (`policy-gateway replay --bundle`).',
    }),
    version: Type.String({ description: "The candidate bundle's version." }),
  }),
  filters: ReplayFiltersSchema,
  max_entries: Type.Integer({ minimum: 1 }),
  progress: Type.Object({
    read: Count,
    /** `occurred_at` of the last entry read (newest first), null before the first. */
    position: NullableString({ format: 'date-time' }),
  }),
  summary: ReplaySummarySchema,
  error: NullableString(),
});

export type Replay = Static<typeof ReplaySchema>;

const ReplayResultSchema = Type.Object({
  decision: AuditDecisionSchema,
  reasons: Type.Array(AuditReasonSchema),
  policy_version: Type.String(),
  error: NullableString(),
});

export type ReplayResult = Static<typeof ReplayResultSchema>;

export const ReplayChangeSchema = Type.Object({
  audit_id: Uuid(),
  occurred_at: DateTime(),
  user_id: Type.String(),
  transition: StringEnum(REPLAY_TRANSITIONS),
  masked: Type.Boolean({
    description: 'The stored input was masked or erased: the candidate judged what is stored.',
  }),
  original: ReplayResultSchema,
  candidate: ReplayResultSchema,
});

export type ReplayChange = Static<typeof ReplayChangeSchema>;

export const ReplayChangesPageSchema = Type.Object({
  changes: Type.Array(ReplayChangeSchema),
  next_cursor: NullableString({ description: 'Pass as `cursor` for the next page.' }),
});

export type ReplayChangesPage = Static<typeof ReplayChangesPageSchema>;

export const ReplayChangesQuerySchema = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
    cursor: Type.Optional(Type.String({ pattern: '^[0-9]+$' })),
    transition: Type.Optional(StringEnum(REPLAY_TRANSITIONS)),
  },
  { additionalProperties: false },
);

export type ReplayChangesQuery = Static<typeof ReplayChangesQuerySchema>;

export const ReplayIdParamsSchema = Type.Object(
  { id: Uuid({ description: 'The replay id.' }) },
  { additionalProperties: false },
);
