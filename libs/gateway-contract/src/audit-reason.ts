/** Why a policy decided as it did, as the API shows it: one reason per violation found. */
import type { ReasonSeverity as DomainReasonSeverity } from '@policy-gateway/governance-runtime';
import type { Static } from '@sinclair/typebox';
import * as Type from '@sinclair/typebox/type';
import { StringEnum } from './string-enum.js';

/** Mildest first, the order in which the Workbench ranks them. */
export const REASON_SEVERITIES = Object.freeze([
  'low',
  'medium',
  'high',
  'critical',
] as const satisfies readonly DomainReasonSeverity[]);

export const ReasonSeveritySchema = StringEnum(REASON_SEVERITIES);

export type ReasonSeverity = Static<typeof ReasonSeveritySchema>;

export const AuditReasonSchema = Type.Object({
  code: Type.String({ description: 'Stable machine-readable code, e.g. `pii.email`.' }),
  message: Type.String(),
  severity: ReasonSeveritySchema,
});

export type AuditReason = Static<typeof AuditReasonSchema>;
