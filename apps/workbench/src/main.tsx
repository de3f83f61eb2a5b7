/**
 * Browser entry point: reads the run-time gateway URL from `config.json`, then renders the
 * Workbench with a history router.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createBrowserRouter } from 'react-router';
import { createQueryClient } from './config/create-query-client.js';
import { loadGatewayConfig } from './config/load-gateway-config.js';
import { workbenchRoutes } from './routes.js';
import { WorkbenchApp } from './workbench-app.js';
import './styles/workbench.css';

const config = await loadGatewayConfig(import.meta.env.BASE_URL, import.meta.env.VITE_GATEWAY_URL);
const router = createBrowserRouter(workbenchRoutes, {
  basename: import.meta.env.BASE_URL.replace(/\/$/, '') || undefined,
});

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <WorkbenchApp config={config} router={router} queryClient={createQueryClient()} />
  </StrictMode>,
);
