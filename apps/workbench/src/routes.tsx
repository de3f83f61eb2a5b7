/**
 * The Workbench's routes: `/` goes to the Governance page, whose child routes are its tabs
 * (declared in `governance-tabs.tsx`), and anything else is not found.
 */
import { Navigate, type RouteObject } from 'react-router';
import { GovernancePage } from './components/governance-page.js';
import { NotFoundPage } from './components/not-found-page.js';
import { GOVERNANCE_PATH, governanceTabRoutes } from './governance-tabs.js';

export const workbenchRoutes: RouteObject[] = [
  { path: '/', element: <Navigate to={GOVERNANCE_PATH} replace /> },
  { path: GOVERNANCE_PATH, element: <GovernancePage />, children: governanceTabRoutes() },
  { path: '*', element: <NotFoundPage /> },
];
