/**
 * The Workbench's routes. The Audit Log is a layout route so that opening and closing the
 * detail panel (`/governance/audit/:id`) keeps the table, its scroll position and pages mounted.
 */
import { Navigate, type RouteObject } from 'react-router';
import { AuditDetailRoute } from './components/audit-detail-route.js';
import { AuditLogTab } from './components/audit-log-tab.js';
import { EvaluateTab } from './components/evaluate-tab.js';
import { GatewayStatusTab } from './components/gateway-status-tab.js';
import { GovernancePage } from './components/governance-page.js';
import { NotFoundPage } from './components/not-found-page.js';

export const workbenchRoutes: RouteObject[] = [
  { path: '/', element: <Navigate to="/governance" replace /> },
  {
    path: '/governance',
    element: <GovernancePage />,
    children: [
      {
        element: <AuditLogTab />,
        children: [
          { index: true, element: null },
          { path: 'audit/:id', element: <AuditDetailRoute /> },
        ],
      },
      { path: 'evaluate', element: <EvaluateTab /> },
      { path: 'gateway', element: <GatewayStatusTab /> },
    ],
  },
  { path: '*', element: <NotFoundPage /> },
];
