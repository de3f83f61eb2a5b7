/**
 * The Governance page: the app header with the gateway it talks to, the gateway banners, and the
 * tabs of `governance-tabs.tsx`. Filters in the search string survive tab switches.
 */
import { Outlet, useLocation } from 'react-router';
import { useGateway } from '../config/gateway-context.js';
import { GOVERNANCE_TABS, governanceTabPath, governanceTabRouteId } from '../governance-tabs.js';
import { GatewayBanners } from './gateway-banners.js';
import { RouteTabs } from './route-tabs.js';

export function GovernancePage() {
  const { search } = useLocation();
  const { config } = useGateway();
  const tabs = GOVERNANCE_TABS.map((tab) => ({
    key: tab.key,
    label: tab.label,
    to: `${governanceTabPath(tab)}${search}`,
    routeId: governanceTabRouteId(tab),
  }));
  return (
    <div className="app">
      <header className="app-header">
        <div className="app-header__brand">
          <span className="app-header__logo" aria-hidden="true">
            ◆
          </span>
          <span>Policy Gateway Workbench</span>
        </div>
        <div className="app-header__gateway">
          Gateway <code>{config.gatewayUrl}</code>
        </div>
      </header>
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
