// Vite build and dev server for the Workbench. The gateway URL is not baked in here: the app
// reads `config.json` at run time (see src/config/load-gateway-config.ts).
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [react()],
  server: { port: 5173, strictPort: true },
  preview: { port: 5173, strictPort: true },
});
