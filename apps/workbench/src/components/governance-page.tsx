/**
 * The Governance page: the app header with the gateway it talks to, the gateway banners, and the
 * tabs (Audit Log first, Evaluate, Gateway). Filters in the search string survive tab switches.
 */
import { Outlet, useLocation } from 'react-router';
import { useGateway } from '../config/gateway-context.js';
import { GatewayBanners } from './gateway-banners.js';
import { RouteTabs } from './route-tabs.js';

export function GovernancePage() {
  const { pathname, search } = useLocation();
  const { config } = useGateway();
  const selectedKey = pathname.startsWith('/governance/evaluate')
    ? 'evaluate'
    : pathname.startsWith('/governance/gateway')
      ? 'gateway'
      : 'audit';
  const tabs = [
    { key: 'audit', label: 'Audit Log', to: `/governance${search}` },
    { key: 'evaluate', label: 'Evaluate', to: `/governance/evaluate${search}` },
    { key: 'gateway', label: 'Gateway', to: `/governance/gateway${search}` },
  ];
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
        <RouteTabs label="Governance" tabs={tabs} selectedKey={selectedKey}>
          <Outlet />
        </RouteTabs>
      </main>
    </div>
  );
}
