// Tests of the audit domain and its adapters. Storage tests open real databases, so
// hooks get time to start PostgreSQL or initialise a PGlite directory.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'governance-runtime',
    include: ['src/**/*.test.ts', 'adapters/**/*.test.ts', 'testing/**/*.test.ts'],
    globalSetup: ['./testing/vitest-global-setup.ts'],
    hookTimeout: 60_000,
    testTimeout: 30_000,
  },
});
