/**
 * The Governance page: the app header with who is signed in, the gateway banners, and the tabs
 * of `governance-tabs.tsx` that the signed-in role may use. Filters in the search string survive
 * tab switches.
 */
import { Navigate, Outlet, useLocation, useMatches } from 'react-router';
import { knownRoles } from '../api/auth-wire.js';
import {
  GOVERNANCE_TABS,
  type GovernanceTab,
  governanceTabPath,
  governanceTabRouteId,
} from '../governance-tabs.js';
import { useSession } from '../session/session-context.js';
import { AppHeader } from './app-header.js';
import { GatewayBanners } from './gateway-banners.js';
import { RouteTabs } from './route-tabs.js';
import { SessionSummary } from './session-summary.js';

export function GovernancePage() {
  const { search } = useLocation();
  const matches = useMatches();
  const { principal } = useSession();
  const roles = knownRoles(principal);
  const allowed = (tab: GovernanceTab) =>
    tab.roles === undefined || tab.roles.some((role) => roles.includes(role));
  const visible = GOVERNANCE_TABS.filter(allowed);
  const matched = GOVERNANCE_TABS.find((tab) =>
    matches.some((match) => match.id === governanceTabRouteId(tab)),
  );
  // A tab this role may not use (an evaluator at /governance, the Audit Log) is never shown:
  // its path leads to the first tab the role may use.
  const first = visible[0];
  if (matched !== undefined && !allowed(matched) && first !== undefined) {
    return <Navigate to={`${governanceTabPath(first)}${search}`} replace />;
  }
  const tabs = visible.map((tab) => ({
    key: tab.key,
    label: tab.label,
    to: `${governanceTabPath(tab)}${search}`,
    routeId: governanceTabRouteId(tab),
  }));
  return (
    <div className="app">
      <AppHeader>
        <SessionSummary />
      </AppHeader>
      <main className="page">
        <h1 className="page__title">Governance</h1>
        <GatewayBanners />
        <RouteTabs label="Governance" tabs={tabs}>
          <Outlet />
        </RouteTabs>
      </main>
    </div>
  );
}
