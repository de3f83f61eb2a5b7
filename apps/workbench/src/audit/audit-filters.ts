/**
 * The Audit Log's filters and their place in the URL: parsing and writing search params, and
 * resolving a time-range preset to the API's `since`/`until` instants at the moment of a fetch.
 */
import {
  AUDIT_DECISIONS,
  AUDIT_SHADOW_FILTERS,
  type AuditDecision,
  type AuditQueryParams,
  type AuditShadowFilter,
} from '../api/gateway-types.js';

/**
 * Where a decision came from, as the entry's `action` records it: the gateway's own
 * evaluation, OPA's Data API served by the gateway, or a decision an OPA server made and
 * uploaded in its decision log.
 */
export const DECISION_SOURCES: readonly { readonly action: string; readonly label: string }[] = [
  { action: 'policy.evaluate', label: 'Gateway evaluations' },
  { action: 'opa.data', label: 'Data API queries' },
  { action: 'opa.decision_log', label: 'OPA decision logs' },
];

/** The shadow rollout's choices: entries with a candidate's decision, or where it differs. */
export const SHADOW_CHOICES: Readonly<Record<AuditShadowFilter, string>> = {
  recorded: 'Shadow recorded',
  differs: 'Shadow decided otherwise',
};

export type RangePreset = '15m' | '1h' | '24h' | '7d' | 'all' | 'custom';

export const RANGE_PRESETS: readonly { readonly value: RangePreset; readonly label: string }[] = [
  { value: '15m', label: 'Last 15 minutes' },
  { value: '1h', label: 'Last hour' },
  { value: '24h', label: 'Last 24 hours' },
  { value: '7d', label: 'Last 7 days' },
  { value: 'all', label: 'All time' },
  { value: 'custom', label: 'Custom range…' },
];

const PRESET_MS: Readonly<Record<Exclude<RangePreset, 'all' | 'custom'>, number>> = {
  '15m': 15 * 60_000,
  '1h': 60 * 60_000,
  '24h': 24 * 60 * 60_000,
  '7d': 7 * 24 * 60 * 60_000,
};

export interface AuditFilters {
  readonly user: string;
  readonly decision: AuditDecision | '';
  readonly policy: string;
  /** A decision id given to a caller, to find the one entry behind it. */
  readonly decisionId: string;
  /** An `action` of `DECISION_SOURCES`, or '' for every source. */
  readonly source: string;
  /** Entries with a shadow decision, or only those where it differs; '' for all. */
  readonly shadow: AuditShadowFilter | '';
  readonly range: RangePreset;
  /** Custom range start, RFC 3339 UTC (inclusive). Only used when `range` is `custom`. */
  readonly from: string;
  /** Custom range end, RFC 3339 UTC (exclusive). Only used when `range` is `custom`. */
  readonly to: string;
}

export const NO_FILTERS: AuditFilters = {
  user: '',
  decision: '',
  policy: '',
  decisionId: '',
  source: '',
  shadow: '',
  range: 'all',
  from: '',
  to: '',
};

const FILTER_PARAMS = [
  'user',
  'decision',
  'policy',
  'decision_id',
  'source',
  'shadow',
  'range',
  'from',
  'to',
] as const;

function isInstant(value: string): boolean {
  return value !== '' && !Number.isNaN(Date.parse(value));
}

/** Reads filters from the URL; unknown or malformed values fall back to "no filter". */
export function parseAuditFilters(search: URLSearchParams): AuditFilters {
  const decision = search.get('decision') ?? '';
  const range = search.get('range') ?? 'all';
  const from = search.get('from') ?? '';
  const to = search.get('to') ?? '';
  const source = search.get('source') ?? '';
  const shadow = search.get('shadow') ?? '';
  return {
    user: (search.get('user') ?? '').trim(),
    decision: (AUDIT_DECISIONS as readonly string[]).includes(decision)
      ? (decision as AuditDecision)
      : '',
    policy: (search.get('policy') ?? '').trim(),
    decisionId: (search.get('decision_id') ?? '').trim(),
    source: DECISION_SOURCES.some((s) => s.action === source) ? source : '',
    shadow: (AUDIT_SHADOW_FILTERS as readonly string[]).includes(shadow)
      ? (shadow as AuditShadowFilter)
      : '',
    range: RANGE_PRESETS.some((p) => p.value === range) ? (range as RangePreset) : 'all',
    from: isInstant(from) ? from : '',
    to: isInstant(to) ? to : '',
  };
}

/**
 * Writes filters into a copy of `search`, leaving unrelated params alone and omitting defaults
 * so that an unfiltered view has a clean URL.
 */
export function writeAuditFilters(search: URLSearchParams, filters: AuditFilters): URLSearchParams {
  const next = new URLSearchParams(search);
  for (const name of FILTER_PARAMS) next.delete(name);
  if (filters.user) next.set('user', filters.user);
  if (filters.decision) next.set('decision', filters.decision);
  if (filters.policy) next.set('policy', filters.policy);
  if (filters.decisionId) next.set('decision_id', filters.decisionId);
  if (filters.source) next.set('source', filters.source);
  if (filters.shadow) next.set('shadow', filters.shadow);
  if (filters.range !== 'all') next.set('range', filters.range);
  if (filters.range === 'custom') {
    if (filters.from) next.set('from', filters.from);
    if (filters.to) next.set('to', filters.to);
  }
  return next;
}

export function hasActiveFilters(filters: AuditFilters): boolean {
  return (
    filters.user !== '' ||
    filters.decision !== '' ||
    filters.policy !== '' ||
    filters.decisionId !== '' ||
    filters.source !== '' ||
    filters.shadow !== '' ||
    filters.range !== 'all'
  );
}

export interface TimeBounds {
  readonly since?: string | undefined;
  readonly until?: string | undefined;
}

/** Turns the range into absolute instants; presets are relative to `now`. */
export function resolveTimeBounds(filters: AuditFilters, now: Date): TimeBounds {
  if (filters.range === 'all') return {};
  if (filters.range === 'custom') {
    return { since: filters.from || undefined, until: filters.to || undefined };
  }
  return { since: new Date(now.getTime() - PRESET_MS[filters.range]).toISOString() };
}

/** The gateway's query parameters for these filters within `bounds` (cursor and limit aside). */
export function toAuditQueryParams(
  filters: AuditFilters,
  bounds: TimeBounds,
): Omit<AuditQueryParams, 'limit' | 'cursor'> {
  return {
    user_id: filters.user || undefined,
    decision: filters.decision || undefined,
    policy: filters.policy || undefined,
    decision_id: filters.decisionId || undefined,
    action: filters.source || undefined,
    shadow: filters.shadow || undefined,
    since: bounds.since,
    until: bounds.until,
  };
}
