/**
 * The Governance page's tabs, declared once. The router's routes under `/governance` and the tab
 * bar are both built from this list, in its order, so a tab cannot be routed yet missing from
 * the bar (or the reverse). To add a tab, add an entry here.
 */
import type { ReactNode } from 'react';
import type { RouteObject } from 'react-router';
import type { Role } from './api/auth-wire.js';
import { AuditDetailRoute } from './components/audit-detail-route.js';
import { AuditLogTab } from './components/audit-log-tab.js';
import { EvaluateTab } from './components/evaluate-tab.js';
import { GatewayStatusTab } from './components/gateway-status-tab.js';
import { OverviewTab } from './components/overview-tab.js';
import { ReplayTab } from './components/replay-tab.js';
import { AUDIT_LOG_ROLES, EVALUATE_ROLES } from './session/role-requirements.js';

/** Where the Governance page lives; each tab's path is under it. */
export const GOVERNANCE_PATH = '/governance';

export interface GovernanceTab {
  /** Identifies the tab in element ids and its route among the router's matches. */
  readonly key: string;
  readonly label: string;
  /** Path under `/governance`; none for the tab shown at `/governance` itself. */
  readonly path?: string;
  /** The tab's panel. */
  readonly element: ReactNode;
  /** Routes inside the tab, rendered in the panel's `<Outlet />` (the Audit Log's detail). */
  readonly children?: RouteObject[];
  /**
   * The roles whose holders see the tab (the roles the gateway asks of its routes); everyone
   * when absent. A tab the signed-in role may not use is left out of the bar, and its path
   * goes to the first tab it may use.
   */
  readonly roles?: readonly Role[];
}

export const GOVERNANCE_TABS: readonly GovernanceTab[] = [
  // First in the bar; the Audit Log keeps `/governance` itself, so its filter links stay as
  // they were.
  {
    key: 'overview',
    label: 'Overview',
    path: 'overview',
    element: <OverviewTab />,
    roles: AUDIT_LOG_ROLES,
  },
  {
    key: 'audit',
    label: 'Audit Log',
    roles: AUDIT_LOG_ROLES,
    // A layout route, so opening and closing the detail panel (`/governance/audit/:id`) keeps
    // the table, its scroll position and pages mounted.
    element: <AuditLogTab />,
    children: [
      { index: true, element: null },
      { path: 'audit/:id', element: <AuditDetailRoute /> },
    ],
  },
  {
    key: 'evaluate',
    label: 'Evaluate',
    path: 'evaluate',
    element: <EvaluateTab />,
    roles: EVALUATE_ROLES,
  },
  // Impact analysis: the auditor's role, as the gateway's replay routes ask.
  {
    key: 'replay',
    label: 'Replay',
    path: 'replay',
    element: <ReplayTab />,
    roles: AUDIT_LOG_ROLES,
  },
  { key: 'gateway', label: 'Gateway', path: 'gateway', element: <GatewayStatusTab /> },
];

/** The route id of a tab, by which the tab bar finds the selected tab among the matches. */
export function governanceTabRouteId(tab: GovernanceTab): string {
  return `governance-tab:${tab.key}`;
}

/** The path a tab's button navigates to (the search string is added by the caller). */
export function governanceTabPath(tab: GovernanceTab): string {
  return tab.path === undefined ? GOVERNANCE_PATH : `${GOVERNANCE_PATH}/${tab.path}`;
}

/** The child routes of `/governance`, one per tab. */
export function governanceTabRoutes(): RouteObject[] {
  return GOVERNANCE_TABS.map((tab): RouteObject => {
    const id = governanceTabRouteId(tab);
    if (tab.children !== undefined) {
      return { id, path: tab.path, element: tab.element, children: tab.children };
    }
    return tab.path === undefined
      ? { id, index: true, element: tab.element }
      : { id, path: tab.path, element: tab.element };
  });
}
