/**
 * The users denied most in the range, a bar each; a click opens the Audit Log at that user's
 * denials in the range.
 */
import { Link, useNavigate } from 'react-router';
import { Bar, BarChart, CartesianGrid, Tooltip, XAxis, YAxis } from 'recharts';
import type { AuditStats } from '../api/gateway-types.js';
import { auditLogLink } from '../overview/audit-log-link.js';
import { ChartFigure } from './chart-figure.js';

export function DeniedUsersChart({ stats }: { readonly stats: AuditStats }) {
  const navigate = useNavigate();
  const users = stats.top_users_by_denials;
  const linkOf = (user: string) =>
    auditLogLink({ from: stats.since, to: stats.until, decision: 'deny', user });
  const summary =
    users.length === 0
      ? 'No user was denied in this range.'
      : `Denied most: ${users
          .slice(0, 3)
          .map((u) => `${u.user_id} (${u.denials.toLocaleString()})`)
          .join(', ')}.`;
  return (
    <ChartFigure
      title="Top users by denials"
      summary={summary}
      chart={
        <BarChart
          width={720}
          height={Math.max(120, 28 * users.length + 40)}
          data={users}
          layout="vertical"
          accessibilityLayer={false}
        >
          <CartesianGrid strokeDasharray="3 3" horizontal={false} />
          <XAxis type="number" allowDecimals={false} tick={{ fontSize: 11 }} />
          <YAxis type="category" dataKey="user_id" width={160} tick={{ fontSize: 11 }} />
          <Tooltip />
          <Bar
            dataKey="denials"
            name="denials"
            fill="#c62828"
            cursor="pointer"
            isAnimationActive={false}
            onClick={(item: { payload?: { user_id: string } }) => {
              if (item.payload) navigate(linkOf(item.payload.user_id));
            }}
          />
        </BarChart>
      }
      table={
        <table className="data-table">
          <caption>Denials per user in the range</caption>
          <thead>
            <tr>
              <th scope="col">User</th>
              <th scope="col">Denials</th>
            </tr>
          </thead>
          <tbody>
            {users.map((user) => (
              <tr key={user.user_id}>
                <th scope="row">{user.user_id}</th>
                <td>
                  <Link
                    to={linkOf(user.user_id)}
                    aria-label={`${user.denials} denials of ${user.user_id}: open in the Audit Log`}
                  >
                    {user.denials.toLocaleString()}
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
