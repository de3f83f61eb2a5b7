// Component tests: React components in jsdom, with `fetch` mocked at the network boundary; and
// the Workbench's server (tests/server/, in Node) forwarding to a gateway.
// The real gateway is exercised by the browser tests (vitest.e2e.config.ts).
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [react()],
  test: {
    name: 'workbench',
    environment: 'jsdom',
    include: ['src/**/*.test.tsx', 'tests/components/**', 'tests/server/**'],
    setupFiles: ['./tests/support/setup.ts'],
    restoreMocks: true,
  },
});
