/**
 * Latency over time: evaluation and end-to-end (decision to commit in the trail), p50 and p99
 * per bucket, on a log scale so that a slow tail does not flatten the median.
 */
import { CartesianGrid, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import type { AuditStats } from '../api/gateway-types.js';
import { formatBucket } from '../format/format-bucket.js';
import { formatLatency } from '../format/format-latency.js';
import { ChartFigure } from './chart-figure.js';

const SERIES = [
  { key: 'evaluation_p50', name: 'evaluation p50', colour: '#1f5fbf', dash: undefined },
  { key: 'evaluation_p99', name: 'evaluation p99', colour: '#1f5fbf', dash: '5 3' },
  { key: 'end_to_end_p50', name: 'end-to-end p50', colour: '#6a3fb5', dash: undefined },
  { key: 'end_to_end_p99', name: 'end-to-end p99', colour: '#6a3fb5', dash: '5 3' },
] as const;

const show = (ms: number | null) => (ms === null ? '—' : formatLatency(ms));

/** A short axis label: `0.5 ms`, `20 ms`, `3 s`, `20 min`. */
function axisLatency(ms: number): string {
  const short = (n: number) => String(Number(n.toPrecision(2)));
  if (ms < 1000) return `${short(ms)} ms`;
  if (ms < 60_000) return `${short(ms / 1000)} s`;
  return `${short(ms / 60_000)} min`;
}

export function LatencyChart({ stats }: { readonly stats: AuditStats }) {
  const rows = stats.buckets.map((b) => ({
    label: formatBucket(b.start, stats.bucket),
    evaluation_p50: b.evaluation_ms.p50,
    evaluation_p99: b.evaluation_ms.p99,
    end_to_end_p50: b.end_to_end_ms.p50,
    end_to_end_p99: b.end_to_end_ms.p99,
  }));
  const hasEndToEnd = stats.end_to_end_ms.p50 !== null;
  const series = SERIES.filter((s) => hasEndToEnd || !s.key.startsWith('end_to_end'));
  // A log axis spanning the values drawn, so that no line is cut off at either end.
  const values = rows.flatMap((row) =>
    series.map((s) => row[s.key]).filter((v): v is number => v !== null && v > 0),
  );
  const domain: [number, number] =
    values.length === 0 ? [0.1, 10] : [Math.min(...values) / 1.5, Math.max(...values) * 1.5];
  const summary =
    stats.evaluation_ms.p50 === null
      ? 'No decisions in this range.'
      : `Evaluation: p50 ${show(stats.evaluation_ms.p50)}, p99 ${show(stats.evaluation_ms.p99)}` +
        (hasEndToEnd
          ? `; end-to-end (decision to commit): p50 ${show(stats.end_to_end_ms.p50)}, p99 ${show(stats.end_to_end_ms.p99)}.`
          : '; end-to-end is not recorded by this store.') +
        ' Percentiles are read from histograms, within 9 %.';
  return (
    <ChartFigure
      title="Latency"
      summary={summary}
      chart={
        <LineChart width={720} height={240} data={rows} accessibilityLayer={false}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="label" tick={{ fontSize: 11 }} minTickGap={12} />
          <YAxis
            scale="log"
            domain={domain}
            allowDataOverflow
            tick={{ fontSize: 11 }}
            width={64}
            tickFormatter={axisLatency}
          />
          <Tooltip formatter={(ms) => (typeof ms === 'number' ? formatLatency(ms) : String(ms))} />
          <Legend />
          {series.map((s) => (
            <Line
              key={s.key}
              dataKey={s.key}
              name={s.name}
              stroke={s.colour}
              strokeDasharray={s.dash}
              dot={false}
              connectNulls
              isAnimationActive={false}
            />
          ))}
        </LineChart>
      }
      table={
        <table className="data-table">
          <caption>Latency per {stats.bucket}</caption>
          <thead>
            <tr>
              <th scope="col">{stats.bucket === 'day' ? 'Day (UTC)' : 'Hour'}</th>
              {series.map((s) => (
                <th key={s.key} scope="col">
                  {s.name}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.label}>
                <th scope="row">{row.label}</th>
                {series.map((s) => (
                  <td key={s.key}>{show(row[s.key])}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      }
    />
  );
}
