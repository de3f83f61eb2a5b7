/**
 * The most frequent reasons in the range and their trend: a bar per reason (entries giving it),
 * and its count per bucket as a line. The gateway's list has no reason filter, so a click opens
 * the Audit Log at the range's denials, where the reason can be read on each entry.
 */
import { Link, useNavigate } from 'react-router';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type { AuditStats } from '../api/gateway-types.js';
import { formatBucket } from '../format/format-bucket.js';
import { auditLogLink } from '../overview/audit-log-link.js';
import { ChartFigure } from './chart-figure.js';

const LINE_COLOURS = ['#1f5fbf', '#c62828', '#6a3fb5', '#00838f', '#b26a00'];

export function ReasonsChart({ stats }: { readonly stats: AuditStats }) {
  const navigate = useNavigate();
  const reasons = stats.top_reasons;
  const denials = auditLogLink({ from: stats.since, to: stats.until, decision: 'deny' });
  const shown = reasons.slice(0, LINE_COLOURS.length);
  const trend = stats.buckets.map((bucket, i) => ({
    label: formatBucket(bucket.start, stats.bucket),
    ...Object.fromEntries(shown.map((reason) => [reason.code, reason.trend[i] ?? 0])),
  }));
  const summary =
    reasons.length === 0
      ? 'No reasons were given in this range.'
      : `Most frequent: ${reasons
          .slice(0, 3)
          .map((r) => `${r.code} (${r.entries.toLocaleString()})`)
          .join(', ')}.` + trendSentence(reasons[0]!.code, reasons[0]!.trend);
  return (
    <ChartFigure
      title="Top reasons"
      summary={summary}
      chart={
        <div className="chart__pair">
          <BarChart
            width={340}
            height={Math.max(120, 28 * reasons.length + 40)}
            data={reasons}
            layout="vertical"
            accessibilityLayer={false}
          >
            <CartesianGrid strokeDasharray="3 3" horizontal={false} />
            <XAxis type="number" allowDecimals={false} tick={{ fontSize: 11 }} />
            <YAxis type="category" dataKey="code" width={130} tick={{ fontSize: 11 }} />
            <Tooltip />
            <Bar
              dataKey="entries"
              name="entries"
              fill="#1f5fbf"
              cursor="pointer"
              isAnimationActive={false}
              onClick={() => navigate(denials)}
            />
          </BarChart>
          <LineChart width={360} height={200} data={trend} accessibilityLayer={false}>
            <CartesianGrid strokeDasharray="3 3" vertical={false} />
            <XAxis dataKey="label" tick={{ fontSize: 11 }} minTickGap={12} />
            <YAxis allowDecimals={false} tick={{ fontSize: 11 }} width={40} />
            <Tooltip />
            <Legend />
            {shown.map((reason, i) => (
              <Line
                key={reason.code}
                dataKey={reason.code}
                stroke={LINE_COLOURS[i]}
                dot={false}
                isAnimationActive={false}
              />
            ))}
          </LineChart>
        </div>
      }
      table={
        <table className="data-table">
          <caption>Entries giving each reason, in all and per {stats.bucket}</caption>
          <thead>
            <tr>
              <th scope="col">Reason</th>
              <th scope="col">Entries</th>
              <th scope="col">Per {stats.bucket}, oldest first</th>
            </tr>
          </thead>
          <tbody>
            {reasons.map((reason) => (
              <tr key={reason.code}>
                <th scope="row">
                  <code>{reason.code}</code>
                </th>
                <td>
                  <Link
                    to={denials}
                    aria-label={`${reason.entries} entries giving ${reason.code}: open this range's denials in the Audit Log`}
                  >
                    {reason.entries.toLocaleString()}
                  </Link>
                </td>
                <td>{reason.trend.join(', ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      }
    />
  );
}

/** Whether a reason rose or fell: its second half of the range against its first. */
function trendSentence(code: string, trend: readonly number[]): string {
  const half = Math.floor(trend.length / 2);
  const before = trend.slice(0, half).reduce((a, b) => a + b, 0);
  const after = trend.slice(half).reduce((a, b) => a + b, 0);
  if (before === after) return ` ${code} held steady.`;
  return ` ${code} ${after > before ? 'rose' : 'fell'} from ${before.toLocaleString()} in the first half of the range to ${after.toLocaleString()} in the second.`;
}
