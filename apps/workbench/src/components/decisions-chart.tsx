/**
 * Decisions over time, stacked by outcome (allow, deny, error), one bar per bucket. A click on a
 * bar's part opens the Audit Log at that bucket and outcome; the table's counts link the same.
 */
import { Link, useNavigate } from 'react-router';
import { Bar, BarChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis } from 'recharts';
import type { AuditDecision, AuditStats } from '../api/gateway-types.js';
import { bucketEnd, formatBucket } from '../format/format-bucket.js';
import { auditLogLink } from '../overview/audit-log-link.js';
import { ChartFigure } from './chart-figure.js';

export const OUTCOME_COLOURS: Readonly<Record<AuditDecision, string>> = {
  allow: '#2f8f4e',
  deny: '#c62828',
  error: '#b26a00',
};

const OUTCOMES: readonly AuditDecision[] = ['allow', 'deny', 'error'];

interface Row {
  readonly label: string;
  readonly from: string;
  readonly to: string;
  readonly allow: number;
  readonly deny: number;
  readonly error: number;
}

export function DecisionsChart({ stats }: { readonly stats: AuditStats }) {
  const navigate = useNavigate();
  const rows: Row[] = stats.buckets.map((b) => ({
    label: formatBucket(b.start, stats.bucket),
    from: b.start,
    to: bucketEnd(b.start, stats.bucket),
    allow: b.allow,
    deny: b.deny,
    error: b.error,
  }));
  const { allow, deny, error } = stats.totals;
  const total = allow + deny + error;
  const busiest = rows.reduce<Row | undefined>(
    (best, row) => (best === undefined || row.deny > best.deny ? row : best),
    undefined,
  );
  const summary =
    total === 0
      ? 'No decisions in this range.'
      : `${total.toLocaleString()} decisions: ${allow.toLocaleString()} allowed, ${deny.toLocaleString()} denied (${percent(deny, total)}), ${error.toLocaleString()} failed.` +
        (busiest && busiest.deny > 0
          ? ` Most denials in one ${stats.bucket}: ${busiest.deny.toLocaleString()} (${busiest.label}).`
          : '');
  return (
    <ChartFigure
      title="Decisions over time"
      summary={summary}
      chart={
        <BarChart width={720} height={240} data={rows} accessibilityLayer={false}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="label" tick={{ fontSize: 11 }} minTickGap={12} />
          <YAxis allowDecimals={false} tick={{ fontSize: 11 }} width={48} />
          <Tooltip />
          <Legend />
          {OUTCOMES.map((outcome) => (
            <Bar
              key={outcome}
              dataKey={outcome}
              name={outcome}
              stackId="outcome"
              fill={OUTCOME_COLOURS[outcome]}
              cursor="pointer"
              isAnimationActive={false}
              onClick={(item: { payload?: Row }) => {
                if (item.payload) {
                  navigate(
                    auditLogLink({
                      from: item.payload.from,
                      to: item.payload.to,
                      decision: outcome,
                    }),
                  );
                }
              }}
            />
          ))}
        </BarChart>
      }
      table={
        <table className="data-table">
          <caption>Decisions per {stats.bucket}, by outcome</caption>
          <thead>
            <tr>
              <th scope="col">{stats.bucket === 'day' ? 'Day (UTC)' : 'Hour'}</th>
              {OUTCOMES.map((outcome) => (
                <th key={outcome} scope="col">
                  {outcome}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.from}>
                <th scope="row">{row.label}</th>
                {OUTCOMES.map((outcome) => (
                  <td key={outcome}>
                    {row[outcome] === 0 ? (
                      0
                    ) : (
                      <Link
                        to={auditLogLink({ from: row.from, to: row.to, decision: outcome })}
                        aria-label={`${row[outcome]} ${outcome} on ${row.label}: open in the Audit Log`}
                      >
                        {row[outcome].toLocaleString()}
                      </Link>
                    )}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      }
    />
  );
}

function percent(part: number, whole: number): string {
  return `${((100 * part) / whole).toFixed(1)} %`;
}
