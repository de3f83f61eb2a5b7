// Component tests: React components in jsdom, with `fetch` mocked at the network boundary.
// The real gateway is exercised by the browser tests (vitest.e2e.config.ts).
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [react()],
  test: {
    name: 'workbench',
    environment: 'jsdom',
    include: ['src/**/*.test.tsx', 'tests/components/**'],
    setupFiles: ['./tests/support/setup.ts'],
    restoreMocks: true,
  },
});
