/**
 * The Audit Log's filter controls. Text fields write to the URL after a short pause in typing
 * (replacing the history entry); choices write at once (pushing one), so Back undoes a choice.
 */
import { useEffect, useId, useRef, useState } from 'react';
import {
  AUDIT_DECISIONS,
  AUDIT_SHADOW_FILTERS,
  type AuditDecision,
  type AuditShadowFilter,
} from '../api/gateway-types.js';
import {
  type AuditFilters,
  DECISION_SOURCES,
  hasActiveFilters,
  NO_FILTERS,
  RANGE_PRESETS,
  type RangePreset,
  SHADOW_CHOICES,
} from '../audit/audit-filters.js';
import { fromLocalInputValue, toLocalInputValue } from '../format/format-time.js';

export const TYPING_PAUSE_MS = 400;

interface AuditFiltersBarProps {
  readonly filters: AuditFilters;
  readonly onChange: (filters: AuditFilters, options: { replace: boolean }) => void;
  /** Policy paths seen in the loaded entries, offered as suggestions. */
  readonly policySuggestions: readonly string[];
}

export function AuditFiltersBar({ filters, onChange, policySuggestions }: AuditFiltersBarProps) {
  const id = useId();
  const [user, setUser] = useState(filters.user);
  const [policy, setPolicy] = useState(filters.policy);
  const [decisionId, setDecisionId] = useState(filters.decisionId);
  const latest = useRef({ filters, onChange });
  latest.current = { filters, onChange };

  // The URL is the source of truth: Back/Forward or a pasted link update the fields.
  useEffect(() => setUser(filters.user), [filters.user]);
  useEffect(() => setPolicy(filters.policy), [filters.policy]);
  useEffect(() => setDecisionId(filters.decisionId), [filters.decisionId]);

  useEffect(() => {
    const typed = { user: user.trim(), policy: policy.trim(), decisionId: decisionId.trim() };
    const unchanged = (current: AuditFilters) =>
      typed.user === current.user &&
      typed.policy === current.policy &&
      typed.decisionId === current.decisionId;
    if (unchanged(latest.current.filters)) return;
    const timer = setTimeout(() => {
      // Check again when the pause ends: the URL may have caught up meanwhile (Clear filters,
      // Back), and writing it again would also close a detail panel opened since.
      const { filters: current, onChange: change } = latest.current;
      if (!unchanged(current)) change({ ...current, ...typed }, { replace: true });
    }, TYPING_PAUSE_MS);
    return () => clearTimeout(timer);
  }, [user, policy, decisionId]);

  const choose = (patch: Partial<AuditFilters>) =>
    onChange({ ...filters, ...patch }, { replace: false });

  return (
    <form
      className="filters"
      aria-label="Filter decisions"
      onSubmit={(event) => {
        event.preventDefault();
        const typed = { user: user.trim(), policy: policy.trim(), decisionId: decisionId.trim() };
        onChange({ ...filters, ...typed }, { replace: true });
      }}
    >
      <div className="field">
        <label htmlFor={`${id}-user`}>User</label>
        <input
          id={`${id}-user`}
          type="search"
          value={user}
          placeholder="Any user"
          autoComplete="off"
          spellCheck={false}
          onChange={(event) => setUser(event.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor={`${id}-decision`}>Decision</label>
        <select
          id={`${id}-decision`}
          value={filters.decision}
          onChange={(event) => choose({ decision: event.target.value as AuditDecision | '' })}
        >
          <option value="">Any decision</option>
          {AUDIT_DECISIONS.map((decision) => (
            <option key={decision} value={decision}>
              {decision[0]!.toUpperCase() + decision.slice(1)}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-source`}>Source</label>
        <select
          id={`${id}-source`}
          value={filters.source}
          onChange={(event) => choose({ source: event.target.value })}
        >
          <option value="">Any source</option>
          {DECISION_SOURCES.map((source) => (
            <option key={source.action} value={source.action}>
              {source.label}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-shadow`}>Shadow</label>
        <select
          id={`${id}-shadow`}
          value={filters.shadow}
          onChange={(event) => choose({ shadow: event.target.value as AuditShadowFilter | '' })}
        >
          <option value="">Any entry</option>
          {AUDIT_SHADOW_FILTERS.map((shadow) => (
            <option key={shadow} value={shadow}>
              {SHADOW_CHOICES[shadow]}
            </option>
          ))}
        </select>
      </div>
      <div className="field field--wide">
        <label htmlFor={`${id}-policy`}>Policy</label>
        <input
          id={`${id}-policy`}
          type="search"
          value={policy}
          placeholder="Any policy path"
          autoComplete="off"
          spellCheck={false}
          list={`${id}-policies`}
          onChange={(event) => setPolicy(event.target.value)}
        />
        <datalist id={`${id}-policies`}>
          {policySuggestions.map((path) => (
            <option key={path} value={path} />
          ))}
        </datalist>
      </div>
      <div className="field field--wide">
        <label htmlFor={`${id}-decision-id`}>Decision id</label>
        <input
          id={`${id}-decision-id`}
          type="search"
          value={decisionId}
          placeholder="Any"
          autoComplete="off"
          spellCheck={false}
          onChange={(event) => setDecisionId(event.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor={`${id}-range`}>Time range</label>
        <select
          id={`${id}-range`}
          value={filters.range}
          onChange={(event) => choose({ range: event.target.value as RangePreset })}
        >
          {RANGE_PRESETS.map((preset) => (
            <option key={preset.value} value={preset.value}>
              {preset.label}
            </option>
          ))}
        </select>
      </div>
      {filters.range === 'custom' && (
        <>
          <div className="field">
            <label htmlFor={`${id}-from`}>From (local time)</label>
            <input
              id={`${id}-from`}
              type="datetime-local"
              value={toLocalInputValue(filters.from)}
              max={filters.to ? toLocalInputValue(filters.to) : undefined}
              onChange={(event) => choose({ from: fromLocalInputValue(event.target.value) })}
            />
          </div>
          <div className="field">
            <label htmlFor={`${id}-to`}>To (local time)</label>
            <input
              id={`${id}-to`}
              type="datetime-local"
              value={toLocalInputValue(filters.to)}
              min={filters.from ? toLocalInputValue(filters.from) : undefined}
              onChange={(event) => choose({ to: fromLocalInputValue(event.target.value) })}
            />
          </div>
        </>
      )}
      {hasActiveFilters(filters) && (
        <button
          type="button"
          className="button button--quiet filters__clear"
          onClick={() => {
            setUser('');
            setPolicy('');
            setDecisionId('');
            onChange(NO_FILTERS, { replace: false });
          }}
        >
          Clear filters
        </button>
      )}
    </form>
  );
}
