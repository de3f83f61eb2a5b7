/**
 * The sources of decisions on the Gateway tab: each OPA server uploading its decision log (by
 * its `labels.id`) with its last upload, and each gateway instance that decided, over the last
 * 90 days (from the Overview's stats). An OPA server whose uploads stopped shows here first.
 */
import { useMemo } from 'react';
import { Link } from 'react-router';
import { useAuditStats } from '../audit/use-audit-stats.js';
import { formatLocalTime } from '../format/format-time.js';
import { statsQueryOf } from '../overview/overview-range.js';

const ACTIONS: Readonly<Record<string, string>> = {
  'opa.decision_log': 'OPA decision-log upload',
  'policy.evaluate': 'Gateway evaluation',
  'opa.data': 'Data API query',
};

export function DecisionSourcesPanel() {
  const query = useMemo(() => statsQueryOf('90d', Date.now()), []);
  const stats = useAuditStats(query);
  const sources = [...(stats.data?.sources ?? [])].sort(
    (a, b) =>
      Number(b.action === 'opa.decision_log') - Number(a.action === 'opa.decision_log') ||
      (a.last_seen < b.last_seen ? -1 : 1),
  );
  return (
    <section aria-labelledby="sources-heading" className="integrity">
      <h2 id="sources-heading">Decision sources (last 90 days)</h2>
      {stats.isPending ? (
        <p>Checking…</p>
      ) : stats.isError ? (
        <p>Unavailable: {stats.error.message}</p>
      ) : sources.length === 0 ? (
        <p>No decisions recorded in the last 90 days.</p>
      ) : (
        <div className="table-scroll">
          <table className="data-table">
            <caption>
              Where decisions came from: OPA servers uploading their decision logs first, each with
              its last upload
            </caption>
            <thead>
              <tr>
                <th scope="col">Source</th>
                <th scope="col">Kind</th>
                <th scope="col">Decisions</th>
                <th scope="col">Last decision</th>
                <th scope="col">Last received</th>
              </tr>
            </thead>
            <tbody>
              {sources.map((s) => (
                <tr key={`${s.action} ${s.source}`}>
                  <th scope="row">
                    <Link to={`/governance?source=${encodeURIComponent(s.action)}`}>
                      {s.source}
                    </Link>
                  </th>
                  <td>{ACTIONS[s.action] ?? s.action}</td>
                  <td>{s.entries.toLocaleString()}</td>
                  <td>{formatLocalTime(s.last_seen)}</td>
                  <td>
                    {s.last_committed_at === null ? '—' : formatLocalTime(s.last_committed_at)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
