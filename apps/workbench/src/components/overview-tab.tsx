/**
 * The Overview tab: the trail over a chosen time range, as charts — decisions over time by
 * outcome, the top reasons and their trend, the users denied most, latency p50/p99, and the
 * policy versions with when each became active. Each chart has a text summary and a table view,
 * and links to the Audit Log filtered to what was clicked. Read from `GET /governance/audit/stats`
 * (roll-ups, so a 90-day range costs what a day does).
 */
import { useMemo } from 'react';
import { useSearchParams } from 'react-router';
import { useAuditStats } from '../audit/use-audit-stats.js';
import {
  OVERVIEW_RANGES,
  type OverviewRange,
  parseOverviewRange,
  statsQueryOf,
} from '../overview/overview-range.js';
import { DecisionsChart } from './decisions-chart.js';
import { DeniedUsersChart } from './denied-users-chart.js';
import { LatencyChart } from './latency-chart.js';
import { PolicyVersionsTimeline } from './policy-versions-timeline.js';
import { ReasonsChart } from './reasons-chart.js';
import '../styles/overview.css';

export function OverviewTab() {
  const [search, setSearch] = useSearchParams();
  const range = parseOverviewRange(search);
  // Fixed when the range is chosen, so that the query (and its cache key) stays put.
  const query = useMemo(() => statsQueryOf(range, Date.now()), [range]);
  const stats = useAuditStats(query);
  const choose = (next: OverviewRange) => {
    const params = new URLSearchParams(search);
    params.set('range', next);
    setSearch(params);
  };
  return (
    <div className="overview">
      <div className="toolbar">
        <div className="field">
          <label htmlFor="overview-range">Time range</label>
          <select
            id="overview-range"
            value={range}
            onChange={(event) => choose(event.target.value as OverviewRange)}
          >
            {OVERVIEW_RANGES.map((r) => (
              <option key={r.value} value={r.value}>
                {r.label}
              </option>
            ))}
          </select>
        </div>
        {stats.isFetching && <span className="muted">Updating…</span>}
      </div>
      {stats.isPending ? (
        <p>Loading the overview…</p>
      ) : stats.isError ? (
        <p role="alert">The overview could not be read: {stats.error.message}</p>
      ) : (
        <div className="overview__charts">
          <DecisionsChart stats={stats.data} />
          <ReasonsChart stats={stats.data} />
          <DeniedUsersChart stats={stats.data} />
          <LatencyChart stats={stats.data} />
          <PolicyVersionsTimeline stats={stats.data} />
        </div>
      )}
    </div>
  );
}
