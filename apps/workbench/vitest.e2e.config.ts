// Browser tests: the built Workbench in Debian's Chromium against the real gateway on a fresh
// embedded database. Run with `npm run test:e2e` (root) or `npm run test:e2e -w apps/workbench`.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'e2e',
    include: ['e2e/**/*.e2e.test.ts'],
    testTimeout: 120000,
    hookTimeout: 180000,
    fileParallelism: false,
  },
});
