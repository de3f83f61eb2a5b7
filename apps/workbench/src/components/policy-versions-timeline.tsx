/**
 * The policy versions that decided in the range, each drawn from when it became active (its
 * first decision still stored) to its last decision in the range, newest last; the current
 * version is the one that decided last. Each links to the Audit Log over its span.
 */
import { Link } from 'react-router';
import type { AuditStats } from '../api/gateway-types.js';
import { shortenDigest } from '../format/format-digest.js';
import { formatLocalTime } from '../format/format-time.js';
import { auditLogLink } from '../overview/audit-log-link.js';
import { ChartFigure } from './chart-figure.js';

export function PolicyVersionsTimeline({ stats }: { readonly stats: AuditStats }) {
  const versions = stats.policy_versions;
  const since = Date.parse(stats.since);
  const span = Date.parse(stats.until) - since;
  const position = (instant: string) =>
    Math.min(100, Math.max(0, ((Date.parse(instant) - since) / span) * 100));
  const current = versions.reduce<(typeof versions)[number] | undefined>(
    (last, v) => (last === undefined || v.last_seen > last.last_seen ? v : last),
    undefined,
  );
  const linkOf = (v: (typeof versions)[number]) =>
    auditLogLink({
      from: new Date(Math.max(Date.parse(v.first_seen), since)).toISOString(),
      to: new Date(Date.parse(v.last_seen) + 1).toISOString(),
    });
  const summary =
    current === undefined
      ? 'No policy version decided in this range.'
      : `${versions.length} version${versions.length === 1 ? '' : 's'} decided in this range; the current one, ${shortenDigest(current.policy_version)}, became active ${formatLocalTime(current.first_seen)}.`;
  return (
    <ChartFigure
      title="Policy versions"
      summary={summary}
      chart={
        <ol className="timeline">
          {versions.map((v) => {
            const left = position(v.first_seen);
            const width = Math.max(0.8, position(v.last_seen) - left);
            return (
              <li key={v.policy_version} className="timeline__row">
                <span className="timeline__label">{shortenDigest(v.policy_version)}</span>
                <span className="timeline__track">
                  <span
                    className={
                      v === current ? 'timeline__bar timeline__bar--current' : 'timeline__bar'
                    }
                    style={{ left: `${left}%`, width: `${width}%` }}
                  />
                </span>
              </li>
            );
          })}
        </ol>
      }
      table={
        <table className="data-table">
          <caption>Policy versions that decided in the range</caption>
          <thead>
            <tr>
              <th scope="col">Version</th>
              <th scope="col">Active since</th>
              <th scope="col">Last decision</th>
              <th scope="col">Decisions</th>
            </tr>
          </thead>
          <tbody>
            {versions.map((v) => (
              <tr key={v.policy_version}>
                <th scope="row">
                  <code title={v.policy_version}>{shortenDigest(v.policy_version)}</code>
                  {v === current && ' (current)'}
                </th>
                <td>{formatLocalTime(v.first_seen)}</td>
                <td>{formatLocalTime(v.last_seen)}</td>
                <td>
                  <Link
                    to={linkOf(v)}
                    aria-label={`${v.entries} decisions of ${shortenDigest(v.policy_version)}: open in the Audit Log`}
                  >
                    {v.entries.toLocaleString()}
                  </Link>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      }
    />
  );
}
