/**
 * `GET /governance/audit/stats`: the trail over a time range, for the Workbench's overview —
 * decisions per bucket by outcome, latency percentiles, the most frequent reasons with their
 * trend, the users denied most, and the policy versions that decided. Read from roll-ups kept
 * as entries are written, so its cost follows the range's buckets, not its entries.
 */
import {
  AUDIT_STATS_BUCKETS,
  AUDIT_STATS_DEFAULT_DAYS,
  AUDIT_STATS_DEFAULT_TOP,
  AUDIT_STATS_MAX_BUCKETS,
  AUDIT_STATS_MAX_RANGE_DAYS,
  AUDIT_STATS_MAX_TOP,
} from '@policy-gateway/governance-runtime';
import type { Static } from '@sinclair/typebox';
import * as Type from '@sinclair/typebox/type';
import { StringEnum } from './string-enum.js';
import { DateTime } from './string-formats.js';

export const AuditStatsBucketSchema = StringEnum(AUDIT_STATS_BUCKETS, {
  description: 'The width of a bucket, in UTC.',
});

export const AuditStatsQuerySchema = Type.Object(
  {
    since: Type.Optional(
      DateTime({
        description: `Inclusive lower bound (RFC 3339), widened to the start of its bucket; ${AUDIT_STATS_DEFAULT_DAYS} days before \`until\` when omitted.`,
      }),
    ),
    until: Type.Optional(
      DateTime({
        description:
          'Exclusive upper bound (RFC 3339), widened to the end of its bucket; now when omitted.',
      }),
    ),
    bucket: Type.Optional(
      StringEnum(AUDIT_STATS_BUCKETS, {
        description: `\`hour\` or \`day\`; \`hour\` for a range of up to 3 days, \`day\` beyond, when omitted. At most ${AUDIT_STATS_MAX_BUCKETS} buckets and ${AUDIT_STATS_MAX_RANGE_DAYS} days.`,
      }),
    ),
    top: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: AUDIT_STATS_MAX_TOP,
        default: AUDIT_STATS_DEFAULT_TOP,
        description: 'How many reasons and users to rank.',
      }),
    ),
  },
  { additionalProperties: false },
);

export type AuditStatsQueryParams = Static<typeof AuditStatsQuerySchema>;

const Count = Type.Integer({ minimum: 0 });

function latencyPercentiles(description: string) {
  return Type.Object(
    {
      p50: Type.Union([Type.Number({ minimum: 0 }), Type.Null()]),
      p99: Type.Union([Type.Number({ minimum: 0 }), Type.Null()]),
    },
    { description },
  );
}

const PERCENTILES =
  'Milliseconds, read from log-scale histograms (within 9 % of the exact value); null without entries.';

export const LatencyPercentilesSchema = latencyPercentiles(PERCENTILES);

const END_TO_END = `From the decision's start to its commit in the trail (the answer waits for it); decisions uploaded by OPA are left out, and a store that keeps no commit time (memory) answers nulls. ${PERCENTILES}`;

const DecisionCounts = {
  allow: Count,
  deny: Count,
  error: Count,
};

export const AuditStatsSchema = Type.Object({
  since: DateTime({ description: 'The range answered: the one asked, widened to whole buckets.' }),
  until: DateTime(),
  bucket: AuditStatsBucketSchema,
  totals: Type.Object(DecisionCounts),
  evaluation_ms: LatencyPercentilesSchema,
  end_to_end_ms: latencyPercentiles(END_TO_END),
  buckets: Type.Array(
    Type.Object({
      start: DateTime({ description: 'It ends where the next one starts.' }),
      ...DecisionCounts,
      evaluation_ms: LatencyPercentilesSchema,
      end_to_end_ms: latencyPercentiles(END_TO_END),
    }),
    { description: 'Every bucket of the range, oldest first, empty ones included.' },
  ),
  top_reasons: Type.Array(
    Type.Object({
      code: Type.String(),
      entries: Count,
      trend: Type.Array(Count, { description: 'Entries per bucket, in bucket order.' }),
    }),
    { description: 'Most frequent first; an entry giving a reason twice counts once.' },
  ),
  top_users_by_denials: Type.Array(Type.Object({ user_id: Type.String(), denials: Count }), {
    description: 'Most denied first.',
  }),
  policy_versions: Type.Array(
    Type.Object({
      policy_version: Type.String(),
      first_seen: DateTime({
        description: 'Its first decision still stored: when it became active.',
      }),
      last_seen: DateTime({ description: 'Its last decision in the range.' }),
      entries: Count,
    }),
    { description: 'The versions that decided in the range, by when each became active.' },
  ),
  sources: Type.Array(
    Type.Object({
      action: Type.String({
        description: '`policy.evaluate`, `opa.data`, or `opa.decision_log` for uploads.',
      }),
      source: Type.String({
        description: 'The gateway instance, or the OPA instance (`labels.id`) that uploaded.',
      }),
      entries: Count,
      last_committed_at: Type.Union([DateTime(), Type.Null()], {
        description:
          "When its last entry in the range was committed: an upload's arrival. Null where the store keeps no commit time (memory).",
      }),
      last_seen: DateTime({ description: 'Its last decision in the range.' }),
    }),
    { description: "Where the range's decisions came from, by action then source." },
  ),
});

export type AuditStatsJson = Static<typeof AuditStatsSchema>;
