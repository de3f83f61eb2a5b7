// Vite build and servers for the Workbench. Both the dev server and `vite preview` forward
// `/api/*` to the gateway (server/gateway-proxy.ts), so the Workbench calls its API on its own
// origin; WORKBENCH_PROXY_TARGET names the gateway (default http://127.0.0.1:8080).
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { gatewayProxy, proxyTarget } from './server/gateway-proxy.js';

const proxy = gatewayProxy(proxyTarget(process.env));

export default defineConfig({
  plugins: [react()],
  server: { port: 5173, strictPort: true, proxy },
  preview: { port: 5173, strictPort: true, proxy },
});
